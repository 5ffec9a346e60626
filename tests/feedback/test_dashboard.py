"""The outcome dashboard: its figures equal the events of the range, its charts are SVG with the
same numbers in tables, its CSV equals the tables, and the roll-up changes no total."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from articles.models import FAQ, Cause
from feedback.models import DailyFlowCount, FlowEvent, SearchLog, Vote

pytestmark = pytest.mark.django_db

URL = "/admin/dashboard/"
TODAY = date(2026, 11, 20)


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("chief", "c@example.invalid", "x"))
    return client


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def event(
    flow: str,
    kind: str,
    day: date,
    *,
    key: str = "",
    version: str = "",
    cause: str = "",
    service: str = "shopping",
) -> None:
    made = FlowEvent.objects.create(
        day=day, flow_id=flow, kind=kind, key=key, version=version, cause=cause, service=service
    )
    FlowEvent.objects.filter(pk=made.pk).update(created_at=at(day), day=day)


def some_outcomes() -> tuple[Cause, list]:
    cause = Cause.objects.get(slug="captcha-fails")
    fixes = list(cause.remedies.order_by("order"))
    first, second = fixes[0], fixes[1]
    # Flow a: started, result, tried the first fix, resolved with the second.
    event("a", "started", TODAY)
    event("a", "answered", TODAY, cause=cause.slug)
    event("a", "tried", TODAY, key=str(first.pk), version=first.version, cause=cause.slug)
    event("a", "resolved", TODAY, key=str(second.pk), version=second.version, cause=cause.slug)
    # Flow b: started, result, tried the first fix, went to support.
    event("b", "started", TODAY - timedelta(days=1))
    event("b", "answered", TODAY - timedelta(days=1), cause=cause.slug)
    event(
        "b",
        "tried",
        TODAY - timedelta(days=1),
        key=str(first.pk),
        version=first.version,
        cause=cause.slug,
    )
    event("b", "escalated", TODAY - timedelta(days=1), cause=cause.slug)
    # Flow c: an old text of the first fix, resolved.
    event("c", "answered", TODAY - timedelta(days=2), cause=cause.slug, service="prime-video")
    event(
        "c",
        "resolved",
        TODAY - timedelta(days=2),
        key=str(first.pk),
        version="0123456789abcdef",
        cause=cause.slug,
        service="prime-video",
    )
    # Outside the range: not counted.
    event("d", "started", TODAY - timedelta(days=40))
    return cause, fixes


def page(staff: Client, **query: str) -> BeautifulSoup:
    params = {"start": str(TODAY - timedelta(days=6)), "end": str(TODAY), **query}
    response = staff.get(URL, params)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def table(soup: BeautifulSoup, caption: str) -> list[list[str]]:
    found = next(
        t for t in soup.select(".dashboard-table table") if t.caption.get_text().startswith(caption)
    )
    return [[c.get_text(strip=True) for c in tr.select("th, td")] for tr in found.select("tr")]


def test_the_figures_are_the_events_of_the_range(staff: Client, content: object) -> None:
    cause, fixes = some_outcomes()
    soup = page(staff)
    services = table(soup, "サービスごと")
    assert services[0] == ["サービス", "開始", "結果まで", "対処法を試した", "解決", "問い合わせへ"]
    assert services[1] == ["合計", "2", "3", "3", "2", "1"]
    causes = table(soup, "最初に示した原因ごと")
    row = next(r for r in causes if r[0].startswith(cause.code))
    assert row[1:] == ["0", "3", "3", "2", "1"]
    deflection = {r[0]: r[1:] for r in table(soup, "日または週ごと")[1:]}
    assert deflection[str(TODAY)] == ["1", "1", "100%"]
    assert deflection[str(TODAY - timedelta(days=1))] == ["1", "0", "0%"]
    remedies = table(soup, "対処法と文面ごと")
    first = [r for r in remedies if r[1] == fixes[0].title]
    assert ["現在", "2", "0"] in [r[2:5] for r in first]
    assert ["以前の文面", "1", "1"] in [r[2:5] for r in first]
    second = next(r for r in remedies if r[1] == fixes[1].title)
    assert second[3:6] == ["1", "1", "100%"] and "〜" in second[6]


def test_votes_and_searches(staff: Client, content: object) -> None:
    faq = FAQ.objects.published().first()
    for helpful, comment in ((True, ""), (False, "わかりにくい"), (False, "")):
        vote = Vote.objects.create(
            page="faq", object_id=faq.pk, helpful=helpful, comment=comment, day=TODAY
        )
        Vote.objects.filter(pk=vote.pk).update(created_at=at(TODAY), day=TODAY)
    SearchLog.objects.create(day=TODAY, query="xyzzy", searches=4, zero_results=4)
    SearchLog.objects.create(day=TODAY, query="パスキー", searches=5, zero_results=0, clicks=0)
    SearchLog.objects.create(day=TODAY, query="パスワード", searches=9, zero_results=0, clicks=3)
    soup = page(staff)
    votes = table(soup, "ページごとの評価とコメント")
    assert [str(faq), "1", "2", "1", "1"] in votes
    assert ["xyzzy", "4", "4"] in table(soup, "結果が0件だった検索")
    unopened = table(soup, "結果を誰も開かなかった検索")
    assert ["パスキー", "5", "5"] in unopened and not any(r[0] == "パスワード" for r in unopened)


def test_charts_are_svg_with_a_title_and_the_csv_equals_the_table(
    staff: Client, content: object
) -> None:
    some_outcomes()
    query = {"start": str(TODAY - timedelta(days=6)), "end": str(TODAY)}
    response = staff.get(URL, query)
    raw = response.content.decode()
    soup = BeautifulSoup(raw, "html.parser")
    svgs = soup.select("svg.dashboard-chart")
    assert len(svgs) == 5
    for svg in svgs:
        assert svg["role"] == "img" and svg.title.get_text()
    start = 0
    while (start := raw.find('<svg role="img"', start)) != -1:
        ET.fromstring(raw[start : raw.index("</svg>", start) + 6])
        start += 1
    for caption, name in (("サービスごと", "services"), ("対処法と文面ごと", "remedies")):
        shown = table(soup, caption)
        download = staff.get(URL, {**query, "table": name, "format": "csv"})
        assert download["Content-Type"].startswith("text/csv")
        text = download.content.decode("utf-8")
        assert text.startswith("\ufeff")
        assert list(csv.reader(io.StringIO(text[1:]))) == shown


def test_a_bad_range_is_explained_in_japanese(staff: Client, content: object) -> None:
    response = staff.get(URL, {"start": "2026-12-01", "end": "2026-11-01"})
    assert response.status_code == 400
    assert "開始日は終了日より前に" in response.content.decode()
    assert staff.get(URL, {"start": "昨日"}).status_code == 400
    assert staff.get(URL).status_code == 200  # no range: the last 30 days


def test_only_staff_see_it(client: Client) -> None:
    assert client.get(URL).status_code == 302
    client.force_login(User.objects.create_user("reader", password="a-long-passphrase-1"))
    assert client.get(URL).status_code == 302


def test_rolling_up_old_events_changes_no_total(staff: Client, content: object) -> None:
    some_outcomes()
    faq = FAQ.objects.published().first()
    for helpful, comment, handled in (
        (True, "", False),
        (False, "未対応", False),
        (False, "対応済み", True),
    ):
        vote = Vote.objects.create(
            page="faq",
            object_id=faq.pk,
            helpful=helpful,
            comment=comment,
            handled=handled,
            day=TODAY - timedelta(days=1),
        )
        Vote.objects.filter(pk=vote.pk).update(
            created_at=at(TODAY - timedelta(days=1)), day=TODAY - timedelta(days=1)
        )
    before = page(staff).select_one("#content-main .dashboard-table") and [
        table(page(staff), c)
        for c in (
            "サービスごと",
            "最初に示した原因ごと",
            "日または週ごと",
            "対処法と文面ごと",
            "ページごとの評価とコメント",
        )
    ]
    days = (timezone.localdate() - TODAY).days - 1  # everything in the range is older
    call_command("rollup_events", days=max(days, 0), stdout=io.StringIO())
    assert FlowEvent.objects.filter(flow_id__in=["a", "b", "c"]).count() == 0
    assert DailyFlowCount.objects.exists()
    assert list(Vote.objects.values_list("comment", flat=True)) == ["未対応"]  # waits for staff
    after = [
        table(page(staff), c)
        for c in ("サービスごと", "最初に示した原因ごと", "日または週ごと", "対処法と文面ごと")
    ]
    assert after == before[:4]
    votes_after = table(page(staff), "ページごとの評価とコメント")
    assert [r[:4] for r in votes_after] == [r[:4] for r in before[4]]
    # Again: nothing more changes.
    call_command("rollup_events", days=max(days, 0), stdout=io.StringIO())
    assert table(page(staff), "サービスごと") == before[0]


def test_the_learned_order_stands_beside_the_staff_order(staff: Client, content: object) -> None:
    from articles import version
    from diagnosis.models import RemedyStat

    cause = Cause.objects.get(slug="captcha-fails")
    fixes = [r for r in cause.remedies.order_by("order") if r.kind == "fix"]
    RemedyStat.objects.create(remedy=fixes[0], version=fixes[0].version, tries=80, successes=10)
    RemedyStat.objects.create(remedy=fixes[1], version=fixes[1].version, tries=80, successes=60)
    version.reset()
    rows = table(page(staff), "対処法の順番")
    row = next(r for r in rows if r[0].startswith(cause.code))
    assert row[1].startswith(fixes[0].title) and row[2].startswith(fixes[1].title)
    assert "上へ" in row[3]


def test_answers_given_in_the_flow_reach_the_dashboard(
    client: Client, staff: Client, content: object
) -> None:
    from tests.feedback.test_recording import post_answer, result_state

    pairs, _ = result_state(client)
    post_answer(client, pairs, "unresolved")
    post_answer(client, pairs, "unresolved")  # pressed twice: counted once
    today = timezone.localdate()
    soup = page(staff, start=str(today), end=str(today))
    assert table(soup, "サービスごと")[1] == ["合計", "0", "0", "1", "0", "0"]
    fixes = table(soup, "対処法と文面ごと")
    assert [row[2:5] for row in fixes[1:]] == [["現在", "1", "0"]]


def test_counting_again_gives_the_same_counts(content: object) -> None:
    from feedback import counts

    some_outcomes()
    before = sorted(
        DailyFlowCount.objects.values_list(
            "day", "kind", "service", "cause", "key", "version", "count"
        )
    )
    counts.rebuild()
    after = sorted(
        DailyFlowCount.objects.values_list(
            "day", "kind", "service", "cause", "key", "version", "count"
        )
    )
    assert after == before
