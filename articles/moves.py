"""Deletions and renames of loadable content are remembered, however the record was saved
(admin, shell, import): a deleted record stays deleted through `load_content`, and a renamed one
keeps its old URL as a permanent redirect and is still known to `load_content` as the fixture's.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, pre_save
from django.http import Http404, HttpResponsePermanentRedirect

from . import signals
from .models import Content, OldSlug, Tombstone


def label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _renamed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or not isinstance(instance, Content) or instance.pk is None:
        return
    model = type(instance)
    before = model._default_manager.filter(pk=instance.pk).values_list("slug", flat=True).first()
    name = label(model)
    # The new slug is no longer an old one (renamed back, or reused).
    OldSlug.objects.filter(model=name, slug=instance.slug).delete()
    if before and before != instance.slug:
        OldSlug.objects.update_or_create(
            model=name, slug=before, defaults={"object_id": instance.pk}
        )


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not isinstance(instance, Content) or signals.is_paused():
        return
    name = label(type(instance))
    Tombstone.objects.get_or_create(model=name, slug=instance.slug)
    OldSlug.objects.filter(model=name, object_id=instance.pk).delete()


def connect() -> None:
    pre_save.connect(_renamed, dispatch_uid="articles-moves-renamed")
    post_delete.connect(_deleted, dispatch_uid="articles-moves-deleted")


def renamed(model: type[models.Model]) -> dict[str, int]:
    """Old slug -> the id of the record that had it."""
    return dict(OldSlug.objects.filter(model=label(model)).values_list("slug", "object_id"))


def deleted(model: type[models.Model]) -> set[str]:
    return set(Tombstone.objects.filter(model=label(model)).values_list("slug", flat=True))


def by_slug(model: type[Content]) -> dict[str, Any]:
    """Every record of `model` by its slug, and renamed ones by their old slugs too: what a
    fixture's references (written with the old slugs) point to."""
    records: dict[str, Any] = {o.slug: o for o in model._default_manager.all()}
    ids = {obj.pk: obj for obj in records.values()}
    for old, pk in renamed(model).items():
        if old not in records and pk in ids:
            records[old] = ids[pk]
    return records


def redirect_if_moved(
    model: type[models.Model], slug: str, page: str = "get_absolute_url"
) -> HttpResponsePermanentRedirect:
    """The permanent redirect from an old slug to the record's current page, or 404."""
    pk = OldSlug.objects.filter(model=label(model), slug=slug).values_list("object_id", flat=True)
    obj = model._default_manager.filter(pk__in=pk).first()
    if obj is None or not hasattr(obj, page):
        raise Http404
    return HttpResponsePermanentRedirect(getattr(obj, page)())
