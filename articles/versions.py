"""A readable difference between two saved versions of a piece of content (django-reversion),
for the admin's history: field by field, line by line, with the remedies of a cause (saved in
the same revision) compared too."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from reversion.models import Version

from .models import Remedy

SKIPPED = {"id", "loaded_hash", "created_at", "updated_at", "cause"}


@dataclass(frozen=True)
class Line:
    kind: str  # "same", "removed" or "added"
    text: str


@dataclass(frozen=True)
class FieldChange:
    label: str
    lines: tuple[Line, ...]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _lines(before: str, after: str) -> tuple[Line, ...]:
    out: list[Line] = []
    old, new = before.splitlines() or [""], after.splitlines() or [""]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new).get_opcodes():
        if op == "equal":
            out += [Line("same", t) for t in old[i1:i2]]
        else:
            out += [Line("removed", t) for t in old[i1:i2]]
            out += [Line("added", t) for t in new[j1:j2]]
    return tuple(out)


def _fields(model: type[models.Model]) -> list[Any]:
    return [
        f
        for f in model._meta.get_fields()
        if getattr(f, "concrete", False)
        and f.name not in SKIPPED
        and not f.name.endswith("_html")
        and getattr(f, "editable", True)
    ]


def _compare(
    model: type[models.Model], old: dict, new: dict, prefix: str = ""
) -> list[FieldChange]:
    changes = []
    for field in _fields(model):
        before, after = _text(old.get(field.attname)), _text(new.get(field.attname))
        if before != after:
            label = f"{prefix}{field.verbose_name}"
            changes.append(FieldChange(label, _lines(before, after)))
    return changes


def _remedies(version: Version) -> dict[str, dict]:
    remedy_type = ContentType.objects.get_for_model(Remedy)
    return {
        v.object_id: v.field_dict
        for v in version.revision.version_set.filter(content_type=remedy_type)
    }


def difference(model: type[models.Model], old: Version, new: Version) -> list[FieldChange]:
    """What changed from `old` to `new`, in a form a person reads."""
    changes = _compare(model, old.field_dict, new.field_dict)
    before, after = _remedies(old), _remedies(new)
    for key in sorted({*before, *after}, key=lambda k: (after.get(k) or before[k])["order"]):
        title = (after.get(key) or before[key])["title"]
        prefix = f"対処法「{title}」の"
        if key not in before:
            changes.append(FieldChange(f"{prefix}追加", _lines("", after[key]["body"])))
        elif key not in after:
            changes.append(FieldChange(f"{prefix}削除", _lines(before[key]["body"], "")))
        else:
            changes += _compare(Remedy, before[key], after[key], prefix)
    return changes
