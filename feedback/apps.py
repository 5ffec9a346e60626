from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save


def _count_one(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """An event created one at a time (not by `outcomes.record`, which counts its own)."""
    if not created or raw:
        return
    from . import counts

    earlier = set(
        sender.objects.filter(flow_id=instance.flow_id, kind__in=counts.FIXES)
        .exclude(pk=instance.pk)
        .values_list("flow_id", "day", "cause")
    )
    counts.add([instance], earlier)


def _count_vote(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """A vote as it is stored, and its comment when it is added (a vote takes one comment)."""
    if raw:
        return
    from . import counts

    fields = kwargs.get("update_fields") or ()
    new_comment = bool(instance.comment) and (created or "comment" in fields)
    if created or new_comment:
        counts.add_vote(instance, new_vote=created, new_comment=new_comment)


class FeedbackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "feedback"
    verbose_name = "利用の記録"

    def ready(self) -> None:
        from .models import FlowEvent, Vote

        post_save.connect(_count_one, sender=FlowEvent, dispatch_uid="feedback-count-one")
        post_save.connect(_count_vote, sender=Vote, dispatch_uid="feedback-count-vote")
