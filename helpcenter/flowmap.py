"""A picture of the guided flow for staff: every option of every question on the left, every
cause on the right, a line for each weight (thicker when it weighs more, dashed when it argues
against, marked when decisive), and beside it the same as a table (which answers lead to each
cause), so nothing is only in the picture."""

from __future__ import annotations

from dataclasses import dataclass

from diagnosis import graph as flowgraph

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


def build() -> FlowMap:
    graph = flowgraph.current()
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
