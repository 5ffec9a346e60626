"""Any change to content or flow data bumps the content version (see `flowgraph`), and the
search index follows every save and delete of what it indexes."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from . import flowgraph, search
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
    Synonym,
)

INDEXED = {Cause: "cause", FAQ: "faq", PreventionTip: "tip"}
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
    Synonym,
)


_paused: ContextVar[bool] = ContextVar("signals_paused", default=False)


@contextmanager
def paused() -> Iterator[None]:
    """For bulk writes (load_content): no per-save work; the caller rebuilds once at the end."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def _bump(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw") or _paused.get():
        return
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return
    flowgraph.bump()


def _index(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw") or _paused.get():
        return
    search.index(instance)


def _unindex(sender: Any, instance: Any, **kwargs: Any) -> None:
    if _paused.get():
        return
    search.remove(INDEXED[sender], instance.pk)


def _index_cause_of(sender: Any, instance: Remedy, **kwargs: Any) -> None:
    if kwargs.get("raw") or _paused.get():
        return
    cause = Cause.objects.filter(pk=instance.cause_id).first()
    if cause is not None:
        search.index(cause)


def connect() -> None:
    for indexed in INDEXED:
        post_save.connect(_index, sender=indexed, dispatch_uid=f"index-{indexed.__name__}")
        post_delete.connect(_unindex, sender=indexed, dispatch_uid=f"unindex-{indexed.__name__}")
    post_save.connect(_index_cause_of, sender=Remedy, dispatch_uid="index-remedy")
    post_delete.connect(_index_cause_of, sender=Remedy, dispatch_uid="unindex-remedy")

    for model in WATCHED:
        post_save.connect(_bump, sender=model, dispatch_uid=f"bump-{model.__name__}-save")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"bump-{model.__name__}-delete")
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _bump, sender=through, dispatch_uid=f"bump-m2m-{model.__name__}-{field.name}"
            )
