"""The ranking: pure functions over a flow graph, checked on a small graph and on the shipped flow."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diagnosis import graph as flowgraph
from diagnosis import ranking as diagnosis
from diagnosis.ranking import (
    CauseNode,
    Graph,
    OptionNode,
    QuestionNode,
    RemedyNode,
    ServiceNode,
    Weight,
)

_ids = itertools.count(1)


def cause(slug: str, *, services: tuple[str, ...] = (), urgent: bool = False) -> CauseNode:
    remedies = tuple(RemedyNode(next(_ids), slug, f"{slug}の対処{i}", "") for i in range(2))
    return CauseNode(
        slug,
        slug.upper(),
        f"{slug}の原因",
        "",
        urgent,
        "警告" if urgent else "",
        f"/causes/{slug}/",
        frozenset(services),
        remedies,
        (),
    )


def option(
    question: str,
    slug: str,
    *weights: tuple[str, int],
    decisive: tuple[str, ...] = (),
    service: str | None = None,
    services: tuple[str, ...] = (),
) -> OptionNode:
    ws = tuple(Weight(c, w, c in decisive) for c, w in weights)
    return OptionNode(
        slug, question, f"「{slug}」", "", service, frozenset(services), not ws and not service, ws
    )


def question(
    slug: str,
    kind: str,
    *options: OptionNode,
    after: tuple[str, ...] = (),
    services: tuple[str, ...] = (),
) -> QuestionNode:
    return QuestionNode(slug, kind, f"{slug}?", "", frozenset(services), frozenset(after), options)


@pytest.fixture
def graph() -> Graph:
    return Graph(
        version=1,
        questions=(
            question(
                "service",
                "service",
                option("service", "shop", service="shop"),
                option("service", "seller", service="seller"),
                option("service", "unsure"),
            ),
            question(
                "symptom",
                "multiple",
                option("symptom", "pw", ("password", 5), ("hijack", 1)),
                option("symptom", "otp", ("twostep", 6), ("code", 3)),
                option("symptom", "perm", ("permissions", 8), services=("seller",)),
                option("symptom", "strange", ("hijack", 2), decisive=("hijack",)),
                option("symptom", "other"),
            ),
            question(
                "device",
                "single",
                option("device", "new", ("code", 4)),
                option("device", "same", ("code", -2), ("hijack", 1)),
                after=("otp",),
            ),
            question(
                "role",
                "single",
                option("role", "invited", ("permissions", 3)),
                services=("seller",),
            ),
        ),
        causes=(
            cause("password"),
            cause("code"),
            cause("twostep"),
            cause("permissions", services=("seller",)),
            cause("hijack", urgent=True),
        ),
        services={
            "shop": ServiceNode("shop", "Shop", "S", "/contact/shop/"),
            "seller": ServiceNode("seller", "Seller", "SC", "/contact/seller/"),
        },
        channels={},
    )


def codes(ranking: diagnosis.Ranking) -> list[str]:
    return [r.cause.slug for r in ranking.causes]


def test_scores_add_up_and_rank_highest_first_with_reasons(graph: Graph) -> None:
    ranking = diagnosis.rank(graph, "shop", ["otp", "new"])
    assert codes(ranking) == ["code", "twostep"]  # code 3+4=7 beats twostep 6
    first = ranking.causes[0]
    assert first.score == 7 and first.reasons == ("「new」", "「otp」")
    assert not ranking.fallback and not ranking.notes


def test_negative_weights_push_a_cause_down_or_out(graph: Graph) -> None:
    ranking = diagnosis.rank(graph, "shop", ["otp", "same"])
    assert codes(ranking) == ["twostep"]  # code 3-2=1: too little to list
    assert [(r.cause.slug, r.score) for r in ranking.others] == [("code", 1), ("hijack", 1)]


def test_ties_are_broken_by_staff_order(graph: Graph) -> None:
    ranking = diagnosis.rank(graph, "seller", ["otp", "new", "invited", "perm"])
    # code 3+4=7, permissions 8+3=11, twostep 6
    assert [(r.cause.slug, r.score) for r in ranking.causes] == [
        ("permissions", 11),
        ("code", 7),
        ("twostep", 6),
    ]
    tied = diagnosis.rank(graph, "shop", ["otp", "same"])
    assert [r.cause.slug for r in tied.others] == ["code", "hijack"]  # both 1: staff order


def test_a_takeover_sign_comes_first_whatever_else_was_answered(graph: Graph) -> None:
    ranking = diagnosis.rank(graph, "shop", ["otp", "new", "pw", "strange"])
    assert codes(ranking)[0] == "hijack"
    assert ranking.causes[0].decisive and ranking.urgent == (ranking.causes[0],)
    assert ranking.causes[0].score < ranking.causes[1].score  # first despite a lower score


def test_service_filters_causes_and_options(graph: Graph) -> None:
    seller = diagnosis.rank(graph, "seller", ["perm"])
    assert codes(seller) == ["permissions"]
    shop = diagnosis.rank(graph, "shop", ["perm", "pw"])
    assert codes(shop) == ["password"] and [r.cause.slug for r in shop.others] == ["hijack"]
    assert any("当てはまらない" in n for n in shop.notes)
    unsure = diagnosis.rank(graph, "unsure", ["perm"])  # not sure: everything applies
    assert codes(unsure) == ["permissions"]


def test_unknown_repeated_and_contradictory_answers_are_ignored_with_a_note(graph: Graph) -> None:
    ranking = diagnosis.rank(graph, "nope", ["otp", "otp", "ghost", "new", "same", "shop"])
    assert ranking.answers.service is None
    assert ranking.answers.slugs == ("otp", "new")  # one answer kept for a single-choice question
    notes = " ".join(ranking.notes)
    assert "nope" in notes and "ghost" in notes and "1つだけ" in notes and "サービスの選択" in notes


def test_answers_to_questions_not_asked_are_ignored(graph: Graph) -> None:
    ranking = diagnosis.rank(graph, "shop", ["pw", "new"])  # device is only asked after "otp"
    assert ranking.answers.slugs == ("pw",)
    assert any("使わない" in n for n in ranking.notes)


def test_nothing_to_go_on_falls_back_to_the_usual_causes_without_alarm(graph: Graph) -> None:
    ranking = diagnosis.rank(graph, "shop", ["other"])
    assert ranking.fallback
    assert codes(ranking) == ["password", "code", "twostep"]


def test_next_question_follows_conditions(graph: Graph) -> None:
    def nxt(service: str | None, answers: list[str]) -> str | None:
        q = diagnosis.next_question(graph, diagnosis.interpret(graph, service, answers))
        return q.slug if q else None

    assert nxt(None, []) == "service"
    assert nxt("shop", []) == "symptom"
    assert nxt("shop", ["otp"]) == "device"
    assert nxt("shop", ["pw"]) is None
    assert nxt("seller", ["pw"]) == "role"
    assert nxt("seller", ["otp", "new", "invited"]) is None


def test_progress_moves_through_remedies_in_rank_order(graph: Graph) -> None:
    ranking = diagnosis.rank(graph, "shop", ["otp", "new"])
    remedies = [r for rc in ranking.causes for r in rc.remedies]
    p = diagnosis.progress(ranking, [], None)
    assert p.current == remedies[0] and p.current_cause == ranking.causes[0]
    p = diagnosis.progress(ranking, [remedies[0].id, remedies[1].id], None)
    assert p.current == remedies[2] and p.current_cause == ranking.causes[1]
    assert p.tried == (remedies[0], remedies[1])
    p = diagnosis.progress(ranking, [r.id for r in remedies] + [999], None)
    assert p.exhausted and p.current is None
    p = diagnosis.progress(ranking, [remedies[0].id], remedies[1].id)
    assert p.resolved == remedies[1] and not p.exhausted


# --- The shipped flow ---------------------------------------------------------------------------


@pytest.fixture
def shipped(content: object) -> Graph:
    return flowgraph.current()


def test_seller_central_otp_never_arrives_leads_with_two_step_fixes(shipped: Graph) -> None:
    ranking = diagnosis.rank(
        shipped, "seller-central", ["code-not-arriving", "changed-nothing", "new-device-no"]
    )
    assert ranking.causes[0].cause.code == "C3"
    assert not ranking.urgent


def test_unknown_orders_lead_with_the_takeover_warning(shipped: Graph) -> None:
    for extra in ([], ["captcha-failing", "other-device-works"], ["app-only", "pages-not-loading"]):
        ranking = diagnosis.rank(shipped, "shopping", ["unknown-activity", *extra])
        assert ranking.causes[0].cause.code == "C9" and ranking.causes[0].decisive
        assert ranking.causes[0].cause.warning


def test_a_suspension_notice_leads_with_the_suspension(shipped: Graph) -> None:
    ranking = diagnosis.rank(shipped, "seller-central", ["suspension-notice", "password-rejected"])
    assert ranking.causes[0].cause.code == "C10" and ranking.causes[0].decisive


def test_every_cause_can_come_first(shipped: Graph) -> None:
    services = [o.slug for o in shipped.service_question.options]
    options = [o.slug for q in shipped.questions if not q.is_service for o in q.options]
    first: set[str] = set()
    for service in services:
        for slug in options:
            ranking = diagnosis.rank(shipped, service, [slug])
            if ranking.causes and not ranking.fallback:
                first.add(ranking.causes[0].cause.code)
    assert first == {c.code for c in shipped.causes}


def all_option_slugs() -> list[str]:
    from articles.models import Option

    return list(Option.objects.values_list("slug", flat=True))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    service=st.one_of(
        st.none(),
        st.sampled_from(["shopping", "prime-video", "seller-central", "unsure"]),
        st.text(max_size=20),
    ),
    picks=st.lists(st.integers(min_value=0, max_value=60), max_size=15),
    junk=st.lists(st.text(max_size=15), max_size=4),
)
def test_any_answers_give_a_ranked_list_without_error(
    shipped: Graph, service: str | None, picks: list[int], junk: list[str]
) -> None:
    options = [o.slug for q in shipped.questions for o in q.options]
    answers = [options[i % len(options)] for i in picks] + junk
    ranking = diagnosis.rank(shipped, service, answers)
    assert ranking.causes, "every path must offer something to try"
    scores = [(0 if r.decisive else 1, -r.score) for r in ranking.causes]
    assert scores == sorted(scores)
    assert len({r.cause.slug for r in ranking.causes}) == len(ranking.causes)
    assert diagnosis.rank(shipped, service, answers) == ranking  # deterministic
    chosen_service = ranking.answers.service
    for ranked in ranking.causes:
        assert (
            not chosen_service
            or not ranked.cause.services
            or chosen_service in ranked.cause.services
        )


def test_remaining_steps_count_what_may_come_and_only_shrink(graph: Graph) -> None:
    def steps(service: str | None, answers: list[str]) -> int:
        return diagnosis.remaining_steps(graph, diagnosis.interpret(graph, service, answers))

    assert steps(None, []) == 4  # service, symptom, device (after "otp"), role (service unknown)
    assert steps("shop", []) == 2  # symptom, then device; the role question is for sellers only
    assert steps("shop", ["otp"]) == 1  # the device question
    assert steps("shop", ["pw"]) == 0
