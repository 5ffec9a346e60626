"""Any change to content bumps the content version (`articles.version`).

Other apps call `watch()` for their own models (the flow, the synonyms) and check `is_paused()`
in their own handlers, so a bulk load (`load_content`) does its per-save work once at the end.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import version
from .models import FAQ, Cause, PreventionTip, Remedy, Service, SupportChannel

_paused: ContextVar[bool] = ContextVar("signals_paused", default=False)


@contextmanager
def paused() -> Iterator[None]:
    """For bulk writes (load_content): no per-save work; the caller rebuilds once at the end."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def is_paused() -> bool:
    return _paused.get()


def _bump(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw") or _paused.get():
        return
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return
    version.bump()


def watch(*watched: type[models.Model]) -> None:
    """Bump the content version on every save, delete and many-to-many change of these."""
    for model in watched:
        name = model._meta.label
        post_save.connect(_bump, sender=model, dispatch_uid=f"bump-{name}-save")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"bump-{name}-delete")
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(_bump, sender=through, dispatch_uid=f"bump-m2m-{name}-{field.name}")


def connect() -> None:
    watch(Service, Cause, Remedy, FAQ, PreventionTip, SupportChannel)
