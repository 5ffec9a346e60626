"""A picture of the guided flow for staff: every option of every question on the left, every
cause on the right, a line for each weight (thicker when it weighs more, dashed when it argues
against, marked when decisive), and beside it the same as a table (which answers lead to each
cause), so nothing is only in the picture.

With a draft chosen (`?draft=`), the picture is drawn as the flow would be with the draft
published, and `effect()` lists which answers would lead to a different cause first: every
path through the flow is ranked with and without the draft (`diagnosis.paths`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.http import HttpRequest

from articles import version
from articles.drafts import applied
from articles.models import Draft
from diagnosis import graph as flowgraph
from diagnosis import paths
from diagnosis.ranking import Graph

EXAMPLES = 3  # answer paths shown for each move

ROW = 24  # px per option or cause
LEFT = 360  # width of the options' column
GAP = 260  # between the options and the causes
WIDTH = LEFT + GAP + 340


@dataclass(frozen=True)
class Box:
    key: str
    label: str
    y: int
    heading: bool = False  # a question's name above its options


@dataclass(frozen=True)
class Edge:
    y1: int
    y2: int
    weight: int
    decisive: bool

    @property
    def width(self) -> int:
        return min(6, max(1, abs(self.weight) // 2 + 1))


@dataclass(frozen=True)
class Lead:
    cause: str
    url: str
    answers: tuple[str, ...]  # "question → option (+weight)", strongest first


@dataclass(frozen=True)
class FlowMap:
    options: tuple[Box, ...]
    causes: tuple[Box, ...]
    edges: tuple[Edge, ...]
    height: int
    leads: tuple[Lead, ...]
    x_causes: int = LEFT + GAP
    width: int = WIDTH


def build(graph: Graph | None = None) -> FlowMap:
    graph = graph or flowgraph.current()
    options: list[Box] = []
    y = ROW
    where: dict[str, int] = {}
    for question in graph.questions:
        if question.is_service:
            continue
        options.append(Box(question.slug, question.text, y, heading=True))
        y += ROW
        for option in question.options:
            options.append(Box(option.slug, option.label, y))
            where[option.slug] = y
            y += ROW
        y += ROW // 2
    step = max(ROW, (y - ROW) // max(1, len(graph.causes)))
    causes = [
        Box(c.slug, f"{c.code} {c.title}", ROW + i * step) for i, c in enumerate(graph.causes)
    ]
    at = {c.key: c.y for c in causes}
    edges = []
    answers: dict[str, list[tuple[int, str]]] = {c.slug: [] for c in graph.causes}
    for question in graph.questions:
        for option in question.options:
            for w in option.weights:
                if w.cause not in at:
                    continue
                edges.append(Edge(where.get(option.slug, ROW), at[w.cause], w.weight, w.decisive))
                if w.weight > 0 or w.decisive:
                    mark = "（最優先）" if w.decisive else ""
                    answers[w.cause].append(
                        (w.weight, f"{question.text} → {option.label}（{w.weight:+d}）{mark}")
                    )
    leads = tuple(
        Lead(
            f"{c.code} {c.title}",
            c.url,
            tuple(text for _, text in sorted(answers[c.slug], key=lambda a: -a[0])),
        )
        for c in graph.causes
    )
    height = max(y, causes[-1].y + ROW if causes else y) + ROW
    return FlowMap(tuple(options), tuple(causes), tuple(edges), height, leads)


@dataclass(frozen=True)
class Move:
    before: str  # the cause shown first now ("" for none)
    after: str  # ... and with the draft
    count: int  # how many answer paths
    examples: tuple[str, ...]  # the shortest of them, in words


@dataclass(frozen=True)
class Effect:
    draft: Draft
    usable: bool  # False: the draft no longer saves; nothing to show
    map: FlowMap | None
    paths: int
    moves: tuple[Move, ...]
    weights: tuple[str, ...] = ()  # the weights the draft changes, in words


def _weights(graph: Graph) -> dict[tuple[str, str], str]:
    return {
        (option.slug, w.cause): f"{w.weight:+d}{'（最優先）' if w.decisive else ''}"
        for question in graph.questions
        for option in question.options
        for w in option.weights
    }


def _weight_changes(live: Graph, drafted: Graph) -> tuple[str, ...]:
    options, causes = _labels(drafted, live)
    before, after = _weights(live), _weights(drafted)
    return tuple(
        f"「{options.get(option, option)}」→ {causes.get(cause, cause)}: "
        f"{before.get((option, cause), 'なし')} → {after.get((option, cause), 'なし')}"
        for option, cause in sorted({*before, *after})
        if before.get((option, cause)) != after.get((option, cause))
    )


_live_leaders = version.Cached(lambda _version: paths.leaders(flowgraph.current()))


def _labels(*graphs: Graph) -> tuple[dict[str, str], dict[str, str]]:
    options: dict[str, str] = {}
    causes: dict[str, str] = {}
    for graph in graphs:
        for question in graph.questions:
            for option in question.options:
                options.setdefault(option.slug, option.label)
        for cause in graph.causes:
            causes.setdefault(cause.slug, f"{cause.code} {cause.title}")
    return options, causes


def flow_drafts() -> list[Draft]:
    """Drafts that can change where the flow leads: of causes, questions and options."""
    return list(
        Draft.objects.filter(
            content_type__app_label__in=["articles", "diagnosis"],
            content_type__model__in=["cause", "question", "option"],
        ).select_related("content_type", "author")
    )


def effect(request: HttpRequest, draft: Draft) -> Effect:
    before = _live_leaders.get()
    live = flowgraph.current()
    with applied(request, draft) as usable:
        if not usable:
            return Effect(draft, False, None, len(before), ())
        drafted = flowgraph.build(version.current())
        after = paths.leaders(drafted)
    options, causes = _labels(drafted, live)
    grouped: dict[tuple[str, str], list[paths.Path]] = defaultdict(list)
    for path in sorted({*before, *after}, key=lambda p: (len(p[1]), p)):
        old, new = before.get(path, ""), after.get(path, "")
        if old != new:
            grouped[old, new].append(path)
    counts = Counter({key: len(found) for key, found in grouped.items()})
    moves = tuple(
        Move(
            causes.get(old, ""),
            causes.get(new, ""),
            count,
            tuple(
                " / ".join(options.get(slug, slug) for slug in (service, *answers))
                for service, answers in grouped[old, new][:EXAMPLES]
            ),
        )
        for (old, new), count in counts.most_common()
    )
    return Effect(draft, True, build(drafted), len(after), moves, _weight_changes(live, drafted))
