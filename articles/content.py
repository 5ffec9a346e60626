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
from django.db import models, transaction

from . import flowgraph, search, signals
from .models import (
    FAQ,
    Cause,
    Content,
    Option,
    OptionCause,
    PreventionTip,
    Question,
    Remedy,
    Service,
    Status,
    SupportChannel,
    Synonym,
)
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
    many: dict[str, tuple[str, type[models.Model]]] = field(default_factory=dict)
    one: dict[str, tuple[str, type[models.Model]]] = field(default_factory=dict)
    has_remedies: bool = False
    has_options: bool = False


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
    Kind(
        "flow.yaml",
        Question,
        fields=("kind", "text", "help", "status", "order"),
        required=("kind", "text"),
        defaults={**PUBLISHED, "help": ""},
        many={"services": ("services", Service), "after": ("after", Option)},
        has_options=True,
    ),
    Kind(
        "synonyms.yaml",
        Synonym,
        fields=("terms", "note", "order"),
        required=("terms",),
        defaults={"note": "", "order": 0},
    ),
)

# Fields written as YAML lists and stored as text.
LIST_FIELDS = {"methods": "、", "terms": "\n"}

OPTION_KEYS = {"slug", "label", "hint", "service", "services", "neutral", "weights", "decisive"}


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
    if isinstance(obj, Question):
        snap["options"] = [
            _option_snapshot_of_record(o) for o in obj.options.order_by("order", "pk")
        ]
    if isinstance(obj, Cause):
        snap["remedies"] = [
            {"title": text(r.title), "body": text(r.body)}
            for r in obj.remedies.order_by("order", "pk")
        ]
    return snap


def _option_snapshot_of_record(option: Option) -> dict[str, Any]:
    weights = list(option.weights.select_related("cause"))
    return {
        "slug": option.slug,
        "label": text(option.label),
        "hint": text(option.hint),
        "service": option.service.slug if option.service else None,
        "services": sorted(option.services.values_list("slug", flat=True)),
        "neutral": option.neutral,
        "weights": {w.cause.slug: w.weight for w in weights},
        "decisive": sorted(w.cause.slug for w in weights if w.decisive),
    }


def _option_snapshot_of_entry(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "slug": raw["slug"],
        "label": text(raw.get("label") or ""),
        "hint": text(raw.get("hint") or ""),
        "service": raw.get("service"),
        "services": sorted(raw.get("services") or []),
        "neutral": bool(raw.get("neutral", False)),
        "weights": dict(raw.get("weights") or {}),
        "decisive": sorted(raw.get("decisive") or []),
    }


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
    if kind.has_remedies:
        snap["remedies"] = [
            {"title": text(r.get("title", "")), "body": text(r.get("body", ""))}
            for r in merged.get("remedies") or []
        ]
    if kind.has_options:
        snap["options"] = [_option_snapshot_of_entry(o) for o in merged.get("options") or []]
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
    if kind.has_options:
        allowed.add("options")
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
    if kind.has_options:
        _check_options(raw.get("options"), where, known, problems)
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


def _check_options(
    options: Any, where: str, known: dict[type, set[str]], problems: list[str]
) -> None:
    if not isinstance(options, list) or not options:
        problems.append(f"{where}: 項目 'options' に選択肢を1つ以上書いてください")
        return
    for i, option in enumerate(options, 1):
        at = f"{where}: options の {i} 番目"
        if not isinstance(option, dict):
            problems.append(f"{at}: 「- slug: ...」の形で書いてください")
            continue
        at = f"{at} (slug={option.get('slug', '?')})"
        for key in option:
            if key not in OPTION_KEYS:
                problems.append(f"{at}: 項目 '{key}' は使えません")
        for name in ("slug", "label"):
            if not str(option.get(name) or "").strip():
                problems.append(f"{at}: 項目 '{name}' がありません")
        weights = option.get("weights") or {}
        if not isinstance(weights, dict):
            problems.append(f"{at}: 項目 'weights' は「原因のスラッグ: 重み」の形で書いてください")
            weights = {}
        for cause, weight in weights.items():
            if cause not in known[Cause]:
                problems.append(f"{at}: 項目 'weights': '{cause}' という原因はありません")
            if not isinstance(weight, int) or isinstance(weight, bool):
                problems.append(f"{at}: 項目 'weights': '{cause}' の重みは整数で書いてください")
        for cause in option.get("decisive") or []:
            if cause not in known[Cause]:
                problems.append(f"{at}: 項目 'decisive': '{cause}' という原因はありません")
        refs = [option["service"]] if option.get("service") else []
        for ref in [*refs, *(option.get("services") or [])]:
            if ref not in known[Service]:
                problems.append(f"{at}: '{ref}' というサービスはありません")


def parse(directory: Path = FIXTURES_DIR) -> list[Entry]:
    """Read and validate every fixture file; raise ContentError listing every problem."""
    problems: list[str] = []
    raw_by_kind = [(kind, _read(directory, kind, problems)) for kind in KINDS]
    known: dict[type, set[str]] = {}
    for kind, items in raw_by_kind:
        slugs = {str(item.get("slug")) for item in items if item.get("slug")}
        known[kind.model] = slugs | set(kind.model.objects.values_list("slug", flat=True))
        if kind.has_options:
            options = {
                str(o.get("slug"))
                for item in items
                for o in (item.get("options") or [])
                if isinstance(o, dict) and o.get("slug")
            }
            known[Option] = options | set(Option.objects.values_list("slug", flat=True))

    entries: list[Entry] = []
    for kind, items in raw_by_kind:
        seen: dict[tuple[str, str], str] = {}
        for index, raw in enumerate(items, 1):
            where = f"{kind.file}: {index} 件目 (slug={raw.get('slug', '?')})"
            merged = _check_entry(kind, raw, where, known, problems)
            if merged is None:
                continue
            option_slugs = [str(o.get("slug")) for o in merged.get("options") or []]
            for slug in option_slugs:
                if ("option", slug) in seen:
                    problems.append(
                        f"{where}: 選択肢 '{slug}' が {seen[('option', slug)]} と重複しています"
                    )
                seen[("option", slug)] = where
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
        setattr(obj, attr, model._default_manager.get(slug=snap[key]))
    obj.loaded_hash = fingerprint(snap)
    obj.save()
    for key, (attr, model) in kind.many.items():
        getattr(obj, attr).set(model._default_manager.filter(slug__in=snap[key]))
    if isinstance(obj, Question):
        _write_options(obj, snap["options"])
    if kind.has_remedies:
        assert isinstance(obj, Cause)
        obj.remedies.all().delete()
        for i, remedy in enumerate(snap["remedies"], 1):
            Remedy.objects.create(cause=obj, order=i * 10, **remedy)  # save() renders markdown
    return obj


def _write_options(question: Question, options: list[dict[str, Any]]) -> None:
    """Update options in place (conditions of later questions point at them), drop the rest."""
    keep = [o["slug"] for o in options]
    Option.objects.filter(question=question).exclude(slug__in=keep).delete()
    services = {s.slug: s for s in Service.objects.all()}
    causes = {c.slug: c for c in Cause.objects.all()}
    for i, data in enumerate(options, 1):
        option, _ = Option.objects.update_or_create(
            slug=data["slug"],
            defaults={
                "question": question,
                "order": i * 10,
                "label": data["label"],
                "hint": data["hint"],
                "service": services.get(data["service"] or ""),
                "neutral": data["neutral"],
            },
        )
        option.services.set([services[s] for s in data["services"]])
        option.weights.all().delete()
        OptionCause.objects.bulk_create(
            [
                OptionCause(
                    option=option,
                    cause=causes[slug],
                    weight=weight,
                    decisive=slug in data["decisive"],
                )
                for slug, weight in data["weights"].items()
            ]
        )
        for slug in set(data["decisive"]) - set(data["weights"]):
            OptionCause.objects.create(option=option, cause=causes[slug], weight=0, decisive=True)


def load(directory: Path = FIXTURES_DIR, *, force: bool = False) -> Report:
    report = Report()
    with transaction.atomic(), signals.paused():
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
    if report.created or report.updated:
        # Signals were paused for the bulk write: bring the index and every worker's flow
        # graph up to date once.
        search.rebuild()
        flowgraph.bump()
    return report
