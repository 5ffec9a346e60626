"""Writing the published content back to fixtures/*.yaml (`export_content`), in the form
`load_content` reads, so that what staff changed in the admin can be reviewed and committed.

The canonical form. The shipped files are written in it, so an export right after a load changes
no file, and a load of an export gives back the same records.
- One file per Kind, its entries in the database's order (`order`, then pk). Drafts are not
  written; a reference from a written entry to one that is not (a draft cause in an FAQ's
  `causes`) is left out and reported, so the files still load into an empty database.
- `slug` first, then the keys in the order of the file's `Layout`. Every key is written, except
  the keys a layout marks optional, which are left out while they hold their default. Here that
  is only a remedy's `kind` (fix) and `first_when`; the flow's layout is in `diagnosis/content.py`;
  a Kind without a layout of its own (the synonyms) leaves every key at its default out.
- Text with a line break is a literal block (`|`); other text stays on one line however long;
  empty text is `""`. Lists of scalars (slugs, methods, terms) and the weights are in flow style
  (`[a, b]`, `{a: 1}`); related slugs come in the related records' own order; dates are
  YYYY-MM-DD. No anchors or aliases.
- A blank line between entries in files whose entries hold blocks (Markdown, remedies, options).
- The comment block at the top of a file is kept as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import takewhile
from pathlib import Path
from typing import Any

import yaml
from django.db import models

from .content import FIXTURES_DIR, KINDS, LIST_FIELDS, Kind
from .models import Publishable, Remedy, Status
from .models import normalise_text as text

# Wide enough that no line of Japanese is ever folded.
WIDTH = 1_000_000


@dataclass(frozen=True)
class Layout:
    """How one fixture file writes its entries."""

    keys: tuple[str, ...]  # after `slug`, in this order: every key the Kind reads
    optional: frozenset[str] = frozenset()  # left out while they hold their default
    child_keys: tuple[
        str, ...
    ] = ()  # the children's keys in order (empty: as `of_record` has them)
    child_defaults: dict[str, Any] = field(default_factory=dict)  # child keys left out while equal
    child_refs: dict[str, type[models.Model]] = field(default_factory=dict)  # child key -> model
    child_model: type[models.Model] | None = None  # when other entries refer to the children


LAYOUTS: dict[str, Layout] = {
    "services.yaml": Layout(("name", "short_name", "summary", "order")),
    "causes.yaml": Layout(
        (
            "code",
            "title",
            "summary",
            "urgent",
            "warning",
            "services",
            "order",
            "status",
            "source_url",
            "checked_on",
            "body",
            "remedies",
        ),
        child_keys=("title", "kind", "first_when", "body"),
        child_defaults={"kind": Remedy.Kind.FIX, "first_when": []},
    ),
    "tips.yaml": Layout(("title", "summary", "body", "services", "prevents", "order", "status")),
    "faqs.yaml": Layout(
        (
            "question",
            "answer",
            "services",
            "causes",
            "featured",
            "order",
            "status",
            "source_url",
            "checked_on",
        )
    ),
    "support.yaml": Layout(
        ("service", "title", "summary", "methods", "url", "body", "order", "status")
    ),
}


def describe(kind: Kind, layout: Layout) -> None:
    """How another app's fixture file is written (the flow). Without one, `layout_of` makes one."""
    LAYOUTS[kind.file] = layout


def _keys(kind: Kind) -> tuple[str, ...]:
    children = (kind.children.key,) if kind.children else ()
    return (*kind.fields, *kind.many, *kind.one, *children)


def layout_of(kind: Kind) -> Layout:
    layout = LAYOUTS.get(kind.file) or Layout(
        _keys(kind), optional=frozenset({*kind.defaults, *kind.many})
    )
    if sorted(layout.keys) != sorted(_keys(kind)):
        raise ValueError(f"{kind.file}: the export layout must list exactly {sorted(_keys(kind))}")
    return layout


def _default(kind: Kind, key: str) -> Any:
    if key in kind.one:
        return None
    if key in kind.many or (kind.children and key == kind.children.key):
        return []
    return kind.defaults.get(key)


class _FlowMap(dict[str, Any]):
    """A mapping written on one line (an option's weights)."""


class _Dumper(yaml.SafeDumper):
    """Nested lists indented under their key, as the files were written by hand; no aliases."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    tag = "tag:yaml.org,2002:str"
    if "\n" in value:
        # The loader strips the final newline again; with it the block reads `|`, not `|-`.
        return dumper.represent_scalar(tag, value + "\n", style="|")
    return dumper.represent_scalar(tag, value, style='"' if value == "" else None)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flat = not any(isinstance(item, dict | list) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat)


def _mapping(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.MappingNode:
    flow = isinstance(value, _FlowMap)
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(list, _list)
_Dumper.add_representer(dict, _mapping)
_Dumper.add_representer(_FlowMap, _mapping)


def dump(entries: list[dict[str, Any]], *, spaced: bool) -> str:
    """The entries as YAML text, a blank line between them when `spaced`."""
    parts = [
        yaml.dump([entry], Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=WIDTH)
        for entry in entries
    ]
    return ("\n" if spaced else "").join(parts)


def header(*paths: Path) -> str:
    """The comment block at the top of the first of these files that exists."""
    for path in paths:
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            block = "".join(takewhile(lambda line: line.startswith("#") or not line.strip(), lines))
            return block if not block or block.endswith("\n") else block + "\n"
    return ""


def _value(name: str, value: Any) -> Any:
    if isinstance(value, str):
        value = text(value)
        if name in LIST_FIELDS:
            return value.split(LIST_FIELDS[name]) if value else []
    return value


def _published(kind: Kind) -> models.QuerySet[Any]:
    model = kind.model
    if issubclass(model, Publishable):
        return model._default_manager.filter(status=Status.PUBLISHED).order_by("order", "pk")
    return model._default_manager.order_by("order", "pk")


def _record(kind: Kind, layout: Layout, obj: Any) -> dict[str, Any]:
    """Every key of the entry, as the record holds it now."""
    values: dict[str, Any] = {name: _value(name, getattr(obj, name)) for name in kind.fields}
    for key, (attr, _model) in kind.many.items():
        values[key] = list(getattr(obj, attr).values_list("slug", flat=True))
    for key, (attr, _model) in kind.one.items():
        related = getattr(obj, attr)
        values[key] = related.slug if related else None
    if kind.children:
        read = getattr(kind.children, "as_written", kind.children.of_record)
        values[kind.children.key] = read(obj)
    return values


class _References:
    """Drops references to records that are not written, and remembers each one dropped."""

    def __init__(self, written: dict[type[models.Model], set[str]]):
        self.written = written
        self.dropped: list[str] = []

    def keep(self, value: Any, model: type[models.Model], where: str) -> Any:
        known = self.written.get(model)
        if known is None or value is None:
            return value

        def ok(slug: str) -> bool:
            if slug not in known:
                self.dropped.append(f"{where} → {slug}")
            return slug in known

        if isinstance(value, dict):
            return {slug: v for slug, v in value.items() if ok(slug)}
        if isinstance(value, list):
            return [slug for slug in value if ok(slug)]
        return value if ok(value) else None


def _lay_out(
    kind: Kind, layout: Layout, slug: str, values: dict[str, Any], refs: _References
) -> dict[str, Any]:
    where = f"{kind.file}: {slug}"
    for key, (_attr, model) in kind.many.items():
        values[key] = refs.keep(values[key], model, f"{where} の {key}")
    entry: dict[str, Any] = {"slug": slug}
    for key in layout.keys:
        if key in layout.optional and values[key] == _default(kind, key):
            continue
        if kind.children and key == kind.children.key:
            entry[key] = [_child(layout, item, where, refs) for item in values[key]]
        else:
            entry[key] = values[key]
    return entry


def _child(layout: Layout, item: dict[str, Any], where: str, refs: _References) -> dict[str, Any]:
    keys = layout.child_keys or tuple(item)
    if set(keys) != set(item):
        raise ValueError(f"{where}: the export layout's child keys must be exactly {sorted(item)}")
    at = f"{where} の {item['slug']}" if "slug" in item else where
    child: dict[str, Any] = {}
    for key in keys:
        value = item[key]
        if key in layout.child_refs:
            value = refs.keep(value, layout.child_refs[key], f"{at} の {key}")
        if key in layout.child_defaults and value == layout.child_defaults[key]:
            continue
        child[key] = _FlowMap(value) if isinstance(value, dict) else value
    return child


@dataclass
class Export:
    files: dict[str, str]  # file name -> its text, in the order load_content reads them
    dropped: list[str]  # references left out because what they point to is not written

    def changed(self, directory: Path) -> list[str]:
        """The files that writing into `directory` would create or change."""
        return [
            name
            for name, new in self.files.items()
            if not (directory / name).exists()
            or (directory / name).read_text(encoding="utf-8") != new
        ]

    def write(self, directory: Path) -> list[str]:
        """Write the files that differ; return their names."""
        changed = self.changed(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name in changed:
            (directory / name).write_text(self.files[name], encoding="utf-8", newline="\n")
        return changed


def render(directory: Path = FIXTURES_DIR) -> Export:
    """Every fixture file as the database's published content would write it; nothing is written.
    Each file keeps the comment block of its copy in `directory` (or else the shipped one)."""
    records: list[tuple[Kind, Layout, list[tuple[str, dict[str, Any]]]]] = []
    written: dict[type[models.Model], set[str]] = {}
    for kind in KINDS:
        layout = layout_of(kind)
        rows = [(obj.slug, _record(kind, layout, obj)) for obj in _published(kind)]
        records.append((kind, layout, rows))
        written[kind.model] = {slug for slug, _values in rows}
        if layout.child_model and kind.children:
            key = kind.children.key
            children = {c["slug"] for _slug, values in rows for c in values[key]}
            written[layout.child_model] = children
    refs = _References(written)
    files: dict[str, str] = {}
    for kind, layout, rows in records:
        entries = [_lay_out(kind, layout, slug, values, refs) for slug, values in rows]
        spaced = kind.children is not None or bool(kind.model.markdown_fields)
        top = header(directory / kind.file, FIXTURES_DIR / kind.file)
        files[kind.file] = top + dump(entries, spaced=spaced)
    return Export(files, refs.dropped)
