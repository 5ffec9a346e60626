"""Fixes that learn from outcomes: strong evidence moves a fix up, a handful of outcomes does
not, urgent steps, actions and pinned steps never move, a rewritten fix starts afresh, and the
setting turns it off. Seen where people see it: the flow's result page and the cause's admin."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from articles import version
from articles.models import Cause, Remedy
from diagnosis import graph as flowgraph
from diagnosis import learning, ranking
from diagnosis.models import RemedyStat
from diagnosis.paths import endings

pytestmark = pytest.mark.django_db


def a_result(min_fixes: int = 2) -> tuple[str, Cause, list[Remedy]]:
    """A result URL whose leading cause has `min_fixes` fixes in staff order, none of them put
    first by the answers, and that cause with its fixes."""
    graph = flowgraph.current()
    for (service, answers), cleaned in endings(graph):
        ranked = ranking.rank_answers(graph, cleaned)
        if not ranked.causes or ranked.causes[0].cause.urgent:
            continue
        cause = ranked.causes[0].cause
        fixes = [r for r in cause.remedies if not r.action and not r.pinned]
        shown = ranked.causes[0].remedies
        if len(fixes) >= min_fixes and shown == cause.remedies and len(answers) <= 2:
            query = "&".join(f"a={a}" for a in answers)
            url = f"/diagnose/?service={service.removeprefix('service-')}&{query}"
            model = Cause.objects.get(slug=cause.slug)
            return url, model, [Remedy.objects.get(pk=r.id) for r in fixes]
    raise AssertionError("no suitable result in the shipped flow")


def first_fix(client: Client, url: str) -> str:
    page = BeautifulSoup(client.get(url).content, "html.parser")
    current = page.select_one(".current-fix .current-remedy")
    assert current is not None, page.get_text()[:500]
    return current.get_text(strip=True)


def record(remedy: Remedy, tries: int, successes: int) -> None:
    RemedyStat.objects.update_or_create(
        remedy=remedy, version=remedy.version, defaults={"tries": tries, "successes": successes}
    )
    version.reset()  # the statistics are read at most once a minute: now


def test_without_outcomes_the_staff_order_stands(client: Client, content: object) -> None:
    url, _cause, fixes = a_result()
    assert first_fix(client, url) == fixes[0].title


def test_strong_evidence_moves_a_fix_up_on_the_result_page(client: Client, content: object) -> None:
    url, _cause, fixes = a_result()
    record(fixes[0], 80, 10)
    record(fixes[1], 80, 60)
    assert first_fix(client, url) == fixes[1].title
    with override_settings(REMEDY_LEARNING=False):
        assert first_fix(client, url) == fixes[0].title  # the setting restores the staff order


def test_a_handful_of_outcomes_changes_nothing(client: Client, content: object) -> None:
    url, _cause, fixes = a_result()
    record(fixes[0], 3, 0)
    record(fixes[1], 3, 3)
    assert first_fix(client, url) == fixes[0].title


def test_a_rewritten_fix_starts_afresh(client: Client, content: object) -> None:
    url, _cause, fixes = a_result()
    record(fixes[0], 80, 10)
    record(fixes[1], 80, 60)
    fixes[1].body += "\n\n書き直した一文。"
    fixes[1].save()  # a new version of its text: the old record no longer counts
    version.reset()
    assert first_fix(client, url) == fixes[0].title


def test_pinned_fixes_keep_their_place(client: Client, content: object) -> None:
    url, _cause, fixes = a_result()
    record(fixes[0], 80, 10)
    record(fixes[1], 80, 60)
    Remedy.objects.filter(pk=fixes[0].pk).update(pinned=True)
    version.bump()
    assert first_fix(client, url) == fixes[0].title


def test_urgent_steps_and_actions_never_move(content: object) -> None:
    graph = flowgraph.current()
    urgent = next(c for c in graph.causes if c.urgent and len(c.remedies) > 1)
    evidence = {(r.id, r.version): (100, 5 * i) for i, r in enumerate(urgent.remedies)}
    assert [p.remedy for p in learning.places(urgent, evidence)] == list(urgent.remedies)
    assert all(p.estimate is None for p in learning.places(urgent, evidence))
    mixed = next(
        c
        for c in graph.causes
        if not c.urgent and any(r.action for r in c.remedies) and len(c.remedies) > 2
    )
    evidence = {(r.id, r.version): (100, 5 * i) for i, r in enumerate(mixed.remedies)}
    found = learning.places(mixed, evidence)
    for place in found:
        if place.remedy.action:
            assert place.learned == place.staff


def test_the_admin_shows_both_orders_with_reasons(content: object) -> None:
    _url, cause, fixes = a_result()
    record(fixes[0], 80, 10)
    record(fixes[1], 80, 60)
    staff = Client()
    staff.force_login(User.objects.create_superuser("chief", "c@example.invalid", "x"))
    page = BeautifulSoup(
        staff.get(reverse("admin:articles_cause_change", args=[cause.pk])).content, "html.parser"
    )
    table = page.select_one("table.learned-order")
    rows = [
        [td.get_text(" ", strip=True) for td in tr.select("td")] for tr in table.select("tbody tr")
    ]
    assert rows[0][0] == f"1. {fixes[0].title}" and rows[0][1] == f"1. {fixes[1].title}"
    assert "80回中60回" in rows[0][2] and "上へ" in rows[0][3]


def test_learning_adds_no_query_to_the_result_page(client: Client, content: object) -> None:
    url, _cause, fixes = a_result()
    record(fixes[1], 80, 60)
    counts = {}
    for on in (False, True):
        with override_settings(REMEDY_LEARNING=on):
            client.get(url)  # warm
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            counts[on] = len(queries)
    assert counts[True] == counts[False]
