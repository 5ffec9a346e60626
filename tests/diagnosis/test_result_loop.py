"""The result loop on a small graph: what is listed, in which order, what is a checklist, when
support is offered, and what the summary says."""

from __future__ import annotations

import pytest

from diagnosis import flow
from diagnosis import ranking as diagnosis
from diagnosis.flow import FlowQuery
from diagnosis.ranking import CauseNode, Graph, RemedyNode, ServiceNode
from tests.diagnosis.test_diagnosis import option, question


def remedies(slug: str, *specs: tuple[int, bool, tuple[str, ...]]) -> tuple[RemedyNode, ...]:
    return tuple(
        RemedyNode(rid, slug, f"{slug}の手順{rid}", "", action, frozenset(first))
        for rid, action, first in specs
    )


def node(slug: str, steps: tuple[RemedyNode, ...], *, urgent: bool = False) -> CauseNode:
    return CauseNode(
        slug,
        slug.upper(),
        f"{slug}の原因",
        "",
        urgent,
        "すぐに連絡" if urgent else "",
        f"/causes/{slug}/",
        frozenset(),
        steps,
        (),
    )


@pytest.fixture
def graph() -> Graph:
    return Graph(
        version=1,
        questions=(
            question(
                "service",
                "service",
                option("service", "shop", service="shop"),
                option("service", "unsure"),
            ),
            question(
                "symptom",
                "multiple",
                option("symptom", "otp", ("twostep", 7), ("network", 1)),
                option("symptom", "phone-changed", ("twostep", 5)),
                option("symptom", "slow", ("network", 6), ("twostep", 3)),
                option("symptom", "weird-code", ("unrequested", 10), decisive=("unrequested",)),
                option("symptom", "same-device", ("twostep", 1), ("network", -1)),
            ),
        ),
        causes=(
            node(
                "twostep",
                remedies("twostep", (1, False, ()), (2, False, ()), (3, False, ("phone-changed",))),
            ),
            node("network", remedies("network", (4, False, ()), (5, True, ()))),
            node("unrequested", remedies("unrequested", (6, True, ()), (7, True, ())), urgent=True),
        ),
        services={"shop": ServiceNode("shop", "Shop", "S", "/contact/shop/")},
        channels={},
    )


def slugs(causes: tuple[diagnosis.RankedCause, ...]) -> list[str]:
    return [rc.cause.slug for rc in causes]


def test_a_cause_with_negligible_evidence_is_offered_only_behind_other_possibilities(
    graph: Graph,
) -> None:
    ranking = diagnosis.rank(graph, "shop", ["otp"])  # network only 1 point
    assert slugs(ranking.causes) == ["twostep"]
    assert slugs(ranking.others) == ["network"]
    assert [r.id for r in ranking.fixes] == [1, 2, 3]  # nothing of the weak cause to go through


def test_a_weak_nudge_is_never_given_as_a_reason(graph: Graph) -> None:
    ranking = diagnosis.rank(graph, "shop", ["otp", "same-device"])
    assert ranking.causes[0].reasons == ("「otp」",)


def test_the_answers_put_the_remedy_they_call_for_first(graph: Graph) -> None:
    plain = diagnosis.rank(graph, "shop", ["otp"])
    assert [r.id for r in plain.causes[0].remedies] == [1, 2, 3]
    changed = diagnosis.rank(graph, "shop", ["otp", "phone-changed"])
    assert [r.id for r in changed.causes[0].remedies] == [3, 1, 2]
    assert diagnosis.progress(changed, [], None).current.id == 3


def test_an_urgent_cause_is_a_checklist_and_never_a_fix_to_try(graph: Graph) -> None:
    ranking = diagnosis.rank(graph, "shop", ["weird-code", "slow"])
    assert slugs(ranking.causes)[0] == "unrequested"
    assert slugs(ranking.checklists) == ["unrequested"]
    assert all(r.cause != "unrequested" for r in ranking.fixes)
    progress = diagnosis.progress(ranking, [], None)
    assert progress.current.cause == "network" and not progress.leading_used_up
    # A checklist alone is a result with its contact button, not a jump to support.
    alone = flow.screen(graph, FlowQuery("f", "shop", ("weird-code",)), "/diagnose/")
    assert alone.kind == "result" and alone.progress.current is None


def test_support_is_offered_beside_the_buttons_once_the_leading_cause_is_used_up(
    graph: Graph,
) -> None:
    ranking = diagnosis.rank(graph, "shop", ["slow"])  # network 6, twostep 3
    assert slugs(ranking.causes) == ["network", "twostep"]
    assert not diagnosis.progress(ranking, [4], None).leading_used_up
    assert diagnosis.progress(ranking, [4, 5], None).leading_used_up


def test_the_summary_lists_only_what_was_answered_and_marked_in_order(graph: Graph) -> None:
    query = FlowQuery("f", "shop", ("slow", "weird-code"), tried=(5, 4), escalate=True)
    screen = flow.screen(graph, query, "/diagnose/")
    assert screen.kind == "escalate"
    lines = screen.summary.splitlines()
    marked = [line for line in lines if line[:2] in {"1.", "2."}]
    assert len(marked) == 2
    assert marked[0].startswith("1. networkの手順5") and marked[1].startswith("2. networkの手順4")
    assert "実施済み" in marked[0]  # an action: done
    assert "ログインできず" in marked[1]  # a fix: did not work
    assert "unrequested" not in screen.summary  # a checklist the person did not mark
    assert "twostep" not in screen.summary  # a cause never reached
    assert "「slow」" in screen.summary and "「weird-code」" in screen.summary
