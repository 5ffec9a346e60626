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


def _children(version: Version, main: type[models.Model]) -> dict[tuple[int, str], Version]:
    """The records saved in the same revision besides the object itself: a cause's remedies
    and weights, a question's options, an option's weights."""
    own = ContentType.objects.get_for_model(main)
    return {
        (v.content_type_id, v.object_id): v
        for v in version.revision.version_set.exclude(content_type=own).select_related(
            "content_type"
        )
    }


def _child_changes(before: Version | None, after: Version | None) -> list[FieldChange]:
    either = after or before
    assert either is not None
    model = either.content_type.model_class()
    if model is None:
        return []
    if model is Remedy:
        title = either.field_dict["title"]
        prefix, text = f"対処法「{title}」の", (lambda v: v.field_dict["body"])
    else:
        prefix = f"{model._meta.verbose_name}「{either.object_repr}」の"
        text = lambda v: v.object_repr  # noqa: E731
    if before is None:
        return [FieldChange(f"{prefix}追加", _lines("", text(after)))]
    if after is None:
        return [FieldChange(f"{prefix}削除", _lines(text(before), ""))]
    return _compare(model, before.field_dict, after.field_dict, prefix)


def _order(version: Version) -> tuple[int, int]:
    return (version.content_type_id, version.field_dict.get("order") or 0)


def difference(model: type[models.Model], old: Version, new: Version) -> list[FieldChange]:
    """What changed from `old` to `new`, in a form a person reads."""
    changes = _compare(model, old.field_dict, new.field_dict)
    before, after = _children(old, model), _children(new, model)
    for key in sorted({*before, *after}, key=lambda k: _order(after.get(k) or before[k])):
        changes += _child_changes(before.get(key), after.get(key))
    return changes
