"""The search index follows every save and delete of what it indexes; synonyms bump the
content version like any content."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from articles import signals as content_signals
from articles.content import loaded
from articles.models import FAQ, Cause, PreventionTip, Remedy, SupportChannel

from . import index
from .models import Synonym

INDEXED = {Cause: "cause", FAQ: "faq", PreventionTip: "tip", SupportChannel: "contact"}


def _index(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw") or content_signals.is_paused():
        return
    index.update(instance)


def _unindex(sender: Any, instance: Any, **kwargs: Any) -> None:
    if content_signals.is_paused():
        return
    index.remove(INDEXED[sender], instance.pk)


def _index_cause_of(sender: Any, instance: Remedy, **kwargs: Any) -> None:
    if kwargs.get("raw") or content_signals.is_paused():
        return
    cause = Cause.objects.filter(pk=instance.cause_id).first()
    if cause is not None:
        index.update(cause)


def _rebuild(sender: Any, **kwargs: Any) -> None:
    index.rebuild()


def connect() -> None:
    for indexed in INDEXED:
        post_save.connect(_index, sender=indexed, dispatch_uid=f"index-{indexed.__name__}")
        post_delete.connect(_unindex, sender=indexed, dispatch_uid=f"unindex-{indexed.__name__}")
    post_save.connect(_index_cause_of, sender=Remedy, dispatch_uid="index-remedy")
    post_delete.connect(_index_cause_of, sender=Remedy, dispatch_uid="unindex-remedy")
    loaded.connect(_rebuild, dispatch_uid="search-rebuild-after-load")
    content_signals.watch(Synonym)
