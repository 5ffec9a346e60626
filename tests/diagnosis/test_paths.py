"""Every path through the shipped flow, walked as a person would answer it.

A path picks one answer for each single-choice question and one or two for the symptoms (the
flow is small enough to try them all). Each path must reach a result; along the way the count of
questions left never goes up; every question and every cause is reached; no result offers an
urgent cause as a fix to try; and every distinct result renders and leads to support.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from django.template.loader import render_to_string

from diagnosis import flow, ranking
from diagnosis import graph as flowgraph
from diagnosis.flow import FlowQuery
from diagnosis.paths import choices
from diagnosis.ranking import Graph

PATH = "/diagnose/"


def walk(graph: Graph) -> Iterator[tuple[str, tuple[str, ...], list[int], set[str]]]:
    """(service option, answers, remaining-count history, questions seen) for every path."""
    service_question = graph.service_question
    assert service_question is not None
    for (service,) in choices(graph, service_question, None):
        start = ranking.interpret(graph, service, ())
        stack = [((), [ranking.remaining_steps(graph, start)], {service_question.slug})]
        while stack:
            answers, counts, seen = stack.pop()
            cleaned = ranking.interpret(graph, service, answers)
            question = ranking.next_question(graph, cleaned)
            if question is None:
                yield service, answers, counts, seen
                continue
            for picked in choices(graph, question, cleaned.service):
                after = (*answers, *picked)
                left = ranking.remaining_steps(graph, ranking.interpret(graph, service, after))
                stack.append((after, [*counts, left], seen | {question.slug}))


_walked: dict[int, list[tuple]] = {}


@pytest.fixture
def paths(content: object) -> list[tuple]:
    """Every path of the shipped flow (walked once per content version and test run)."""
    graph = flowgraph.current()
    if graph.version not in _walked:
        _walked[graph.version] = [(graph, *p) for p in walk(graph)]
    return _walked[graph.version]


def test_every_question_is_reachable_and_the_count_left_never_goes_up(paths: list) -> None:
    graph = paths[0][0]
    seen_anywhere: set[str] = set()
    for _graph, service, answers, counts, seen in paths:
        seen_anywhere |= seen
        assert counts == sorted(counts, reverse=True), (service, answers, counts)
        assert all(a > b for a, b in itertools.pairwise(counts)), (service, answers, counts)
        assert counts[-1] == 0, (service, answers, counts)
    assert seen_anywhere == {q.slug for q in graph.questions}
    assert len(paths) > 1000  # the walk really enumerates


def test_every_cause_leads_somewhere_and_no_path_dead_ends(paths: list) -> None:
    graph = paths[0][0]
    leading: set[str] = set()
    for _graph, service, answers, _counts, _seen in paths:
        ranked = ranking.rank(graph, service, answers)
        assert ranked.causes, (service, answers)
        leading.add(ranked.causes[0].cause.slug)
        # Something to do first: a checklist, or a fix to try.
        assert ranked.checklists or ranked.fixes, (service, answers)
    assert leading == {c.slug for c in graph.causes}


def test_urgent_causes_are_never_fixes_to_try_and_reasons_argue_for_their_cause(
    paths: list,
) -> None:
    graph = paths[0][0]
    weight = {
        (o.label, w.cause): w.weight for q in graph.questions for o in q.options for w in o.weights
    }
    for _graph, service, answers, _counts, _seen in paths:
        ranked = ranking.rank(graph, service, answers)
        assert not any(graph.cause(r.cause).urgent for r in ranked.fixes)
        tried: list[int] = []
        while (step := ranking.progress(ranked, tried, None)).current is not None:
            assert not graph.cause(step.current.cause).urgent
            tried.append(step.current.id)
        for rc in (*ranked.causes, *ranked.others):
            for reason in rc.reasons:
                assert weight[(reason, rc.cause.slug)] >= ranking.REASON_MIN, (answers, reason)


def test_every_distinct_result_renders_and_reaches_support(paths: list) -> None:
    graph = paths[0][0]
    rendered: set[tuple] = set()
    for _graph, service, answers, _counts, _seen in paths:
        ranked = ranking.rank(graph, service, answers)
        key = (service, tuple(rc.cause.slug for rc in ranked.causes))
        if key in rendered:
            continue
        rendered.add(key)
        query = FlowQuery(flow_id="test", service=service, answers=answers)
        screen = flow.screen(graph, query, PATH)
        assert screen.kind == "result"
        html = render_to_string("diagnosis/_flow_result.html", {"screen": screen})
        assert 'value="escalate"' in html  # support is always one press away
        for rc in ranked.checklists:
            # The checklist: the contact button first, then the steps in order, never asked
            # whether they "fixed it".
            section = html.split(f'id="checklist-{rc.cause.slug}"')[1].split("</section>")[0]
            assert section.index('value="escalate"') < section.index(rc.remedies[0].title)
            positions = [section.index(r.title) for r in rc.remedies]
            assert positions == sorted(positions)
        if screen.progress and screen.progress.current:
            current = html.split('class="current-fix"')[1].split("</section>")[0]
            assert not graph.cause(screen.progress.current.cause).urgent
            assert ('value="resolved"' in current) != screen.progress.current.action
        # Marking every step leads to the support channels, with a summary of only what was done.
        marked = tuple(r.id for r in ranked.fixes)
        done = flow.screen(
            graph, FlowQuery(flow_id="test", service=service, answers=answers, tried=marked), PATH
        )
        if not marked:
            done = flow.screen(
                graph,
                FlowQuery(flow_id="test", service=service, answers=answers, escalate=True),
                PATH,
            )
        assert done.kind == "escalate"
        assert done.channels, (service, answers)
        # The summary holds the steps marked, in order, and nothing of causes not reached.
        steps = [
            line.split(". ", 1)[1].rsplit(" → ", 1)[0]
            for line in done.summary.splitlines()
            if line[:1].isdigit()
        ]
        assert steps == [r.title for r in ranked.fixes]
        for unreached in (*ranked.others, *ranked.checklists):
            assert unreached.cause.title not in done.summary
    assert len(rendered) > 50
