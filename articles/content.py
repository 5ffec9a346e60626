"""Loading the shipped content (fixtures/*.yaml) into the database.

- Atomic: every file is parsed and every record validated before anything is written; one bad
  record refuses the whole load with a message naming file, record and field.
- Idempotent: loading twice gives the same database.
- Staff edits win: each record remembers the fingerprint of what the loader last wrote
  (`loaded_hash`). If the record no longer matches it, staff changed it; the loader keeps the
  staff version and reports it, unless `force` is given.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import reversion
import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.dispatch import Signal

from . import moves, signals, version
from .models import (
    FAQ,
    Cause,
    Content,
    PreventionTip,
    Remedy,
    Service,
    Status,
    SupportChannel,
    Tombstone,
)
from .models import normalise_text as text

# libyaml's loader when present: the same safe subset, several times faster.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


# Sent once after a load that wrote something (signals are paused during the load): the search
# index rebuilds itself on it.
loaded = Signal()


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
    many: dict[str, tuple[str, type[models.Model]]] = field(default_factory=dict)
    one: dict[str, tuple[str, type[models.Model]]] = field(default_factory=dict)
    children: Children | None = None  # remedies of a cause, options of a question


class Children(Protocol):
    """Records written as a list inside their parent's entry (remedies, options)."""

    key: str  # the fixture key holding the list

    def of_record(self, obj: Any) -> list[dict[str, Any]]: ...

    def of_entry(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]: ...

    def check(
        self, items: Any, where: str, known: dict[type, set[str]], problems: list[str]
    ) -> None: ...

    def known(self, items: list[dict[str, Any]]) -> dict[type, set[str]]:
        """Slugs of child records that other entries may refer to."""
        ...

    def slugs(self, items: list[dict[str, Any]]) -> list[str]:
        """Slugs that must be unique across all entries."""
        ...

    def write(self, obj: Any, items: list[dict[str, Any]]) -> None: ...


class Remedies:
    key = "remedies"

    def of_record(self, obj: Cause) -> list[dict[str, Any]]:
        return [
            {
                "title": text(r.title),
                "body": text(r.body),
                "kind": r.kind,
                "first_when": r.first_when_list,
            }
            for r in obj.remedies.order_by("order", "pk")
        ]

    def of_entry(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                "title": text(r.get("title", "")),
                "body": text(r.get("body", "")),
                "kind": r.get("kind") or Remedy.Kind.FIX,
                "first_when": [str(s) for s in r.get("first_when") or []],
            }
            for r in items
        ]

    def check(
        self, items: Any, where: str, known: dict[type, set[str]], problems: list[str]
    ) -> None:
        if not isinstance(items, list):
            problems.append(f"{where}: 項目 'remedies' はリストで書いてください")
            return
        for i, remedy in enumerate(items, 1):
            if not isinstance(remedy, dict) or not str(remedy.get("title") or "").strip():
                problems.append(f"{where}: remedies の {i} 番目に 'title' がありません")
                continue
            unknown = set(remedy) - REMEDY_KEYS
            if unknown:
                problems.append(
                    f"{where}: remedies の {i} 番目に知らない項目があります: "
                    + ", ".join(sorted(unknown))
                )
            if remedy.get("kind", Remedy.Kind.FIX) not in Remedy.Kind.values:
                problems.append(
                    f"{where}: remedies の {i} 番目の 'kind' は "
                    + " か ".join(Remedy.Kind.values)
                    + " にしてください"
                )
            if not isinstance(remedy.get("first_when") or [], list):
                problems.append(
                    f"{where}: remedies の {i} 番目の 'first_when' はリストで書いてください"
                )

    def known(self, items: list[dict[str, Any]]) -> dict[type, set[str]]:
        return {}

    def slugs(self, items: list[dict[str, Any]]) -> list[str]:
        return []

    def write(self, obj: Cause, items: list[dict[str, Any]]) -> None:
        obj.remedies.all().delete()
        for i, remedy in enumerate(items, 1):
            Remedy.objects.create(  # save() renders markdown
                cause=obj,
                order=i * 10,
                title=remedy["title"],
                body=remedy["body"],
                kind=remedy["kind"],
                first_when=" ".join(remedy["first_when"]),
            )


REMEDY_KEYS = {"title", "body", "kind", "first_when"}
PUBLISHED = {"status": Status.PUBLISHED, "order": 0}
SOURCED = {"source_url": "", "checked_on": None}

KINDS: list[Kind] = [
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
        fields=(
            "code",
            "title",
            "summary",
            "urgent",
            "warning",
            "body",
            "status",
            "order",
            "source_url",
            "checked_on",
        ),
        required=("code", "title", "summary"),
        defaults={**PUBLISHED, **SOURCED, "urgent": False, "warning": "", "body": ""},
        many={"services": ("services", Service)},
        children=Remedies(),
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
        fields=(
            "question",
            "answer",
            "featured",
            "status",
            "order",
            "source_url",
            "checked_on",
        ),
        required=("question", "answer"),
        defaults={**PUBLISHED, **SOURCED, "featured": False},
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
]


def register(kind: Kind) -> None:
    """Another app's fixture file (the flow, the synonyms), loaded after those before it."""
    if all(k.file != kind.file for k in KINDS):
        KINDS.append(kind)


# Fields written as YAML lists and stored as text.
LIST_FIELDS = {"methods": "、", "terms": "\n"}


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # staff-edited, left as staff left them
    deleted: list[str] = field(default_factory=list)  # staff deleted it: left deleted
    restored: list[str] = field(default_factory=list)  # staff deleted it, --force brought it back


def _value(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
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
    if kind.children:
        snap[kind.children.key] = kind.children.of_record(obj)
    return snap


def _snapshot_of_entry(kind: Kind, entry: dict[str, Any]) -> dict[str, Any]:
    merged = {**kind.defaults, **entry}
    snap: dict[str, Any] = {}
    for name in kind.fields:
        value = merged[name]
        if name in LIST_FIELDS and isinstance(value, list):
            value = LIST_FIELDS[name].join(str(v) for v in value)
        snap[name] = _value(name, value)
    for key in kind.many:
        snap[key] = sorted(merged.get(key) or [])
    for key in kind.one:
        snap[key] = merged.get(key)
    if kind.children:
        snap[kind.children.key] = kind.children.of_entry(merged.get(kind.children.key) or [])
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
    if kind.children:
        allowed.add(kind.children.key)
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
    if kind.children:
        kind.children.check(raw.get(kind.children.key), where, known, problems)
    if len(problems) > before:
        return None
    merged = {**kind.defaults, **raw}
    for name, joiner in LIST_FIELDS.items():
        if isinstance(merged.get(name), list):
            merged[name] = joiner.join(str(v) for v in merged[name])
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
        if kind.children:
            known.update(kind.children.known(items))

    entries: list[Entry] = []
    for kind, items in raw_by_kind:
        seen: dict[tuple[str, str], str] = {}
        for index, raw in enumerate(items, 1):
            where = f"{kind.file}: {index} 件目 (slug={raw.get('slug', '?')})"
            merged = _check_entry(kind, raw, where, known, problems)
            if merged is None:
                continue
            if children := kind.children:
                for slug in children.slugs(merged.get(children.key) or []):
                    if ("child", slug) in seen:
                        problems.append(
                            f"{where}: 項目 '{children.key}': '{slug}' が {seen[('child', slug)]} と重複しています"
                        )
                    seen[("child", slug)] = where
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
    """One record and its children, as one revision of its own in the history: restoring a
    record's loaded version then brings back that record only, not everything loaded with it."""
    with reversion.create_revision():
        reversion.set_comment("load_content: fixtures/ から読み込み")
        return _write_record(entry, obj)


def _write_record(entry: Entry, obj: Content | None) -> Content:
    kind, snap = entry.kind, entry.snapshot
    if obj is None:
        obj = kind.model(slug=entry.slug)
    for name in kind.fields:  # as the model holds it (a date, not its text)
        model_field: Any = kind.model._meta.get_field(name)
        setattr(obj, name, model_field.to_python(snap[name]))
    for key, (attr, model) in kind.one.items():
        setattr(obj, attr, model._default_manager.get(slug=snap[key]))
    obj.loaded_hash = fingerprint(snap)
    obj.save()
    for key, (attr, model) in kind.many.items():
        getattr(obj, attr).set(model._default_manager.filter(slug__in=snap[key]))
    if kind.children:
        kind.children.write(obj, snap[kind.children.key])
    return obj


def load(directory: Path = FIXTURES_DIR, *, force: bool = False) -> Report:
    report = Report()
    with transaction.atomic(), signals.paused():
        entries = parse(directory)
        renamed = {kind.model: moves.renamed(kind.model) for kind in KINDS}
        deleted = {kind.model: moves.deleted(kind.model) for kind in KINDS}
        for entry in entries:
            label = f"{entry.kind.file}: {entry.slug}"
            model = entry.kind.model
            obj = model.objects.filter(slug=entry.slug).first()
            wanted = fingerprint(entry.snapshot)
            if obj is None and entry.slug in renamed[model]:
                # Staff renamed it: the record under its new slug is the staff's version.
                obj = model.objects.filter(pk=renamed[model][entry.slug]).first()
                if obj is not None and not force:
                    report.kept.append(f"{label}（スラッグを {obj.slug} に変更済み）")
                    continue
            if obj is None and entry.slug in deleted[model]:
                if not force:
                    report.deleted.append(label)
                    continue
                Tombstone.objects.filter(model=moves.label(model), slug=entry.slug).delete()
                _write(entry, None)
                report.restored.append(label)
                continue
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
    if report.created or report.updated or report.restored:
        # Signals were paused for the bulk write: bring the index and every worker's flow
        # graph up to date once.
        loaded.send(sender=Kind, report=report)
        version.bump()
    return report
