"""Any change to content or flow data bumps the content version (see `flowgraph`)."""

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from . import flowgraph
from .models import (
    FAQ,
    Cause,
    Option,
    OptionCause,
    PreventionTip,
    Question,
    Remedy,
    Service,
    SupportChannel,
)

WATCHED = (
    Service,
    Cause,
    Remedy,
    FAQ,
    PreventionTip,
    SupportChannel,
    Question,
    Option,
    OptionCause,
)


def _bump(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return
    flowgraph.bump()


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_bump, sender=model, dispatch_uid=f"bump-{model.__name__}-save")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"bump-{model.__name__}-delete")
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _bump, sender=through, dispatch_uid=f"bump-m2m-{model.__name__}-{field.name}"
            )
