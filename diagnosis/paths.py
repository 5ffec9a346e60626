"""Every path through the flow, as a person could answer it, and the cause each one leads to.

A path picks one answer for each single-choice question it is asked and one or two for a
multiple-choice one (the flow is small enough to try them all: about 15,000 paths, a few
seconds). The tests walk every path; the flow picture compares where each path leads with and
without a draft, to show staff which causes move for which answers before they publish.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from . import ranking
from .ranking import Answers, Graph, QuestionNode

Path = tuple[str, tuple[str, ...]]  # (service option, the other answers in order)


def choices(graph: Graph, question: QuestionNode, service: str | None) -> list[tuple[str, ...]]:
    """What a person may pick for `question`: each option, and each pair if several may be."""
    options = [
        o.slug
        for o in question.options
        if question.is_service or ranking.applies_to_service(o.services, service)
    ]
    singles: list[tuple[str, ...]] = [(o,) for o in options]
    if not question.is_multiple:
        return singles
    return singles + list(itertools.combinations(options, 2))


def endings(graph: Graph) -> Iterator[tuple[Path, Answers]]:
    """Every complete path, with its answers as the flow reads them."""
    service_question = graph.service_question
    if service_question is None:
        return
    for (service,) in choices(graph, service_question, None):
        stack: list[tuple[str, ...]] = [()]
        while stack:
            answers = stack.pop()
            cleaned = ranking.interpret(graph, service, answers)
            question = ranking.next_question(graph, cleaned)
            if question is None:
                yield (service, answers), cleaned
                continue
            for picked in choices(graph, question, cleaned.service):
                stack.append((*answers, *picked))


def leaders(graph: Graph) -> dict[Path, str]:
    """The cause each complete path shows first ("" when none stands out)."""
    out: dict[Path, str] = {}
    for path, answers in endings(graph):
        result = ranking.rank_answers(graph, answers)
        out[path] = result.causes[0].cause.slug if result.causes else ""
    return out
