"""Loading the shipped content (fixtures/*.yaml) into the database.

- Atomic: every file is parsed and every record validated before anything is written; one bad
  record refuses the whole load with a message naming file, record and field.
- Idempotent: loading twice gives the same database.
- Staff edits win: each record remembers the fingerprint of what the loader last wrote
  (`loaded_hash`). If the record no longer matches it, staff changed it; the loader keeps the
  staff version and reports it, unless `force` is given.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import FAQ, Cause, Content, PreventionTip, Remedy, Service, Status, SupportChannel
from .models import normalise_text as text

# libyaml's loader when present: the same safe subset, several times faster.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


class ContentError(Exception):
    """A fixture that cannot be loaded; the message names file, record and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Kind:
    file: str
    model: type[Content]
    fields: tuple[str, ...]
    required: tuple[str, ...]
    defaults: dict[str, Any] = field(default_factory=dict)
    # fixture key -> (model field, related model), both by slug
    many: dict[str, tuple[str, type[Content]]] = field(default_factory=dict)
    one: dict[str, tuple[str, type[Content]]] = field(default_factory=dict)
    has_remedies: bool = False


PUBLISHED = {"status": Status.PUBLISHED, "order": 0}

KINDS: tuple[Kind, ...] = (
    Kind(
        "services.yaml",
        Service,
        fields=("name", "short_name", "summary", "order"),
        required=("name", "short_name"),
        defaults={"summary": "", "order": 0},
    ),
    Kind(
        "causes.yaml",
        Cause,
        fields=("code", "title", "summary", "urgent", "warning", "body", "status", "order"),
        required=("code", "title", "summary"),
        defaults={**PUBLISHED, "urgent": False, "warning": "", "body": ""},
        many={"services": ("services", Service)},
        has_remedies=True,
    ),
    Kind(
        "tips.yaml",
        PreventionTip,
        fields=("title", "summary", "body", "status", "order"),
        required=("title", "summary"),
        defaults={**PUBLISHED, "body": ""},
        many={"services": ("services", Service), "prevents": ("causes", Cause)},
    ),
    Kind(
        "faqs.yaml",
        FAQ,
        fields=("question", "answer", "featured", "status", "order"),
        required=("question", "answer"),
        defaults={**PUBLISHED, "featured": False},
        many={"services": ("services", Service), "causes": ("causes", Cause)},
    ),
    Kind(
        "support.yaml",
        SupportChannel,
        fields=("title", "summary", "methods", "url", "body", "status", "order"),
        required=("title", "summary"),
        defaults={**PUBLISHED, "methods": "", "url": "", "body": ""},
        one={"service": ("service", Service)},
    ),
)


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # staff-edited, left as staff left them


def _value(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return text(value)
    return value


def fingerprint(snapshot: dict[str, Any]) -> str:
    encoded = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def snapshot_of_record(kind: Kind, obj: Content) -> dict[str, Any]:
    """What the record holds now, in the shape of a fixture entry."""
    snap: dict[str, Any] = {name: _value(name, getattr(obj, name)) for name in kind.fields}
    for key, (attr, _model) in kind.many.items():
        snap[key] = sorted(getattr(obj, attr).values_list("slug", flat=True))
    for key, (attr, _model) in kind.one.items():
        related = getattr(obj, attr)
        snap[key] = related.slug if related else None
    if isinstance(obj, Cause):
        snap["remedies"] = [
            {"title": text(r.title), "body": text(r.body)} for r in obj.remedies.order_by("order", "pk")
        ]
    return snap


def _snapshot_of_entry(kind: Kind, entry: dict[str, Any]) -> dict[str, Any]:
    merged = {**kind.defaults, **entry}
    snap: dict[str, Any] = {}
    for name in kind.fields:
        value = merged[name]
        if name == "methods" and isinstance(value, list):
            value = "、".join(str(v) for v in value)
        snap[name] = _value(name, value)
    for key in kind.many:
        snap[key] = sorted(merged.get(key) or [])
    for key in kind.one:
        snap[key] = merged.get(key)
    if kind.has_remedies:
        snap["remedies"] = [
            {"title": text(r.get("title", "")), "body": text(r.get("body", ""))}
            for r in merged.get("remedies") or []
        ]
    return snap


@dataclass
class Entry:
    kind: Kind
    where: str  # "causes.yaml: 3件目 (slug=...)"
    slug: str
    snapshot: dict[str, Any]


def _read(directory: Path, kind: Kind, problems: list[str]) -> list[dict[str, Any]]:
    path = directory / kind.file
    if not path.exists():
        problems.append(f"{kind.file}: ファイルがありません")
        return []
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(f"{kind.file}: YAML として読めません: {exc}")
        return []
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        problems.append(f"{kind.file}: 各レコードを「- slug: ...」の形のリストで書いてください")
        return []
    return data


def _check_entry(
    kind: Kind, raw: dict[str, Any], where: str, known: dict[type, set[str]], problems: list[str]
) -> dict[str, Any] | None:
    allowed = {"slug", *kind.fields, *kind.many, *kind.one}
    if kind.has_remedies:
        allowed.add("remedies")
    before = len(problems)
    for key in raw:
        if key not in allowed:
            problems.append(
                f"{where}: 項目 '{key}' は使えません（使える項目: {', '.join(sorted(allowed))}）"
            )
    for name in ("slug", *kind.required):
        if raw.get(name) in (None, ""):
            problems.append(f"{where}: 項目 '{name}' がありません")
    for key, (_attr, model) in {**kind.many, **kind.one}.items():
        refs = raw.get(key) or []
        if key in kind.one:
            refs = [refs] if refs else []
            if not refs:
                problems.append(f"{where}: 項目 '{key}' がありません")
        if not isinstance(refs, list):
            problems.append(f"{where}: 項目 '{key}' はスラッグのリストで書いてください")
            continue
        for ref in refs:
            if ref not in known[model]:
                problems.append(
                    f"{where}: 項目 '{key}': '{ref}' という{model._meta.verbose_name}はありません"
                )
    if kind.has_remedies:
        remedies = raw.get("remedies") or []
        if not isinstance(remedies, list):
            problems.append(f"{where}: 項目 'remedies' はリストで書いてください")
        else:
            for i, remedy in enumerate(remedies, 1):
                if not isinstance(remedy, dict) or not str(remedy.get("title") or "").strip():
                    problems.append(f"{where}: remedies の {i} 番目に 'title' がありません")
    if len(problems) > before:
        return None
    merged = {**kind.defaults, **raw}
    if isinstance(merged.get("methods"), list):
        merged["methods"] = "、".join(str(v) for v in merged["methods"])
    # Let the model's own field validation speak (lengths, choices, URL, slug format).
    values = {name: merged[name] for name in kind.fields}
    candidate = kind.model(slug=raw["slug"], **values)
    try:
        candidate.clean_fields(exclude=["loaded_hash", *kind.one])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                problems.append(f"{where}: 項目 '{name}': {message}")
        return None
    return merged


def parse(directory: Path = FIXTURES_DIR) -> list[Entry]:
    """Read and validate every fixture file; raise ContentError listing every problem."""
    problems: list[str] = []
    raw_by_kind = [(kind, _read(directory, kind, problems)) for kind in KINDS]
    known: dict[type, set[str]] = {}
    for kind, items in raw_by_kind:
        slugs = {str(item.get("slug")) for item in items if item.get("slug")}
        known[kind.model] = slugs | set(kind.model.objects.values_list("slug", flat=True))

    entries: list[Entry] = []
    for kind, items in raw_by_kind:
        seen: dict[tuple[str, str], str] = {}
        for index, raw in enumerate(items, 1):
            where = f"{kind.file}: {index} 件目 (slug={raw.get('slug', '?')})"
            merged = _check_entry(kind, raw, where, known, problems)
            if merged is None:
                continue
            for unique in ("slug", "code"):
                if unique in merged:
                    value = str(merged[unique])
                    if (unique, value) in seen:
                        problems.append(
                            f"{where}: 項目 '{unique}': '{value}' が {seen[(unique, value)]} と重複しています"
                        )
                    seen[(unique, value)] = where
            entries.append(
                Entry(kind, where, str(merged["slug"]), _snapshot_of_entry(kind, merged))
            )
    if problems:
        raise ContentError(problems)
    return entries


def _write(entry: Entry, obj: Content | None) -> Content:
    kind, snap = entry.kind, entry.snapshot
    if obj is None:
        obj = kind.model(slug=entry.slug)
    for name in kind.fields:
        setattr(obj, name, snap[name])
    for key, (attr, model) in kind.one.items():
        setattr(obj, attr, model.objects.get(slug=snap[key]))
    obj.loaded_hash = fingerprint(snap)
    obj.save()
    for key, (attr, model) in kind.many.items():
        getattr(obj, attr).set(model.objects.filter(slug__in=snap[key]))
    if kind.has_remedies:
        assert isinstance(obj, Cause)
        obj.remedies.all().delete()
        for i, remedy in enumerate(snap["remedies"], 1):
            Remedy.objects.create(cause=obj, order=i * 10, **remedy)  # save() renders markdown
    return obj


def load(directory: Path = FIXTURES_DIR, *, force: bool = False) -> Report:
    report = Report()
    with transaction.atomic():
        entries = parse(directory)
        for entry in entries:
            label = f"{entry.kind.file}: {entry.slug}"
            obj = entry.kind.model.objects.filter(slug=entry.slug).first()
            wanted = fingerprint(entry.snapshot)
            if obj is None:
                _write(entry, None)
                report.created.append(label)
                continue
            current = fingerprint(snapshot_of_record(entry.kind, obj))
            if current == wanted:
                if obj.loaded_hash != wanted:
                    type(obj).objects.filter(pk=obj.pk).update(loaded_hash=wanted)
                report.unchanged.append(label)
            elif current != obj.loaded_hash and not force:
                report.kept.append(label)  # staff changed it since the last load
            else:
                _write(entry, obj)
                report.updated.append(label)
    return report
