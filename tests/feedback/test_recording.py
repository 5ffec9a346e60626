"""What visitors do is recorded by POST only, bounded, and without personal data."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.test import Client

from diagnosis.flow import flow_token, new_flow_id
from feedback import outcomes
from feedback.models import FlowEvent, SearchLog

pytestmark = pytest.mark.django_db

RESULT = "/diagnose/?service=seller-central&a=code-not-arriving&a=changed-nothing&a=new-device-no"


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def result_state(client: Client, url: str = RESULT) -> tuple[list[tuple[str, str]], str]:
    """The hidden fields of a result step's answer form, and the remedy it offers."""
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    form = soup.select_one(".current-fix form")
    pairs = [(i["name"], i["value"]) for i in form.find_all("input", type="hidden")]
    remedy = dict(pairs)["remedy"]
    return [p for p in pairs if p[0] != "csrfmiddlewaretoken"], remedy


def post_answer(client: Client, pairs: list[tuple[str, str]], action: str, **headers: str):
    return client.post(
        "/diagnose/answer",
        urlencode([*pairs, ("action", action)]),
        content_type="application/x-www-form-urlencoded",
        **headers,
    )


PUBLIC_GETS = [
    "/",
    "/causes/",
    "/faq/",
    "/faq/?service=prime-video",
    "/tips/",
    "/contact/",
    "/services/shopping/",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz",
    "/diagnose/",
    "/diagnose/?service=shopping",
    RESULT,
    RESULT + "&tried=1&tried=2&tried=3",
    RESULT + "&resolved=1",
    RESULT + "&escalate=1",
    "/diagnose/?f=forged&service=shopping&a=" + "&a=".join(f"o{i}" for i in range(24)),
    "/search/?q=taro%40example.com+123456",
    "/search/?q=%E5%81%9C%E6%AD%A2",
    "/search/open?q=%E5%81%9C%E6%AD%A2&u=/causes/account-hijacked/",
    "/api/search?q=%E5%81%9C%E6%AD%A2",
    "/api/diagnose?service=shopping&answers=password-rejected",
    "/no-such-page/",
]


def test_no_get_to_any_public_url_adds_a_row(client: Client, content: object) -> None:
    before = row_counts()
    for url in PUBLIC_GETS:
        assert client.get(url).status_code in {200, 302, 404}, url
        assert client.get(url, HTTP_HX_REQUEST="true").status_code in {200, 302, 404}, url
    assert row_counts() == before


def test_not_resolved_records_one_event_and_lands_on_the_next_step(
    client: Client, content: object
) -> None:
    pairs, remedy = result_state(client)
    token = flow_token(dict(pairs)["f"])
    response = post_answer(client, pairs, "unresolved")
    assert response.status_code == 303
    next_url = response["Location"]
    assert ("tried", remedy) in parse_qsl(urlsplit(next_url).query)
    events = list(FlowEvent.objects.values_list("flow_id", "kind", "key"))
    assert events == [(token, "tried", remedy)]  # one event, for this flow
    # the next step offers another fix
    _, next_remedy = result_state(client, next_url)
    assert next_remedy != remedy
    # pressing the same button again (reload, double click) records nothing more
    post_answer(client, pairs, "unresolved")
    assert FlowEvent.objects.filter(flow_id=token).count() == 1


def test_an_action_is_recorded_as_done_and_never_as_a_fix_that_worked(
    client: Client, content: object
) -> None:
    # An invited Seller Central user whose permissions went: the steps are actions (ask the
    # administrator), marked 「済んだ」.
    url = "/diagnose/?service=seller-central&a=no-permission&a=seller-invited-user"
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    for _ in range(3):  # past any fix to try, to the first action
        form = soup.select_one(".current-fix form")
        if form.select_one("button[value=done]"):
            break
        fix = [(i["name"], i["value"]) for i in form.find_all("input", type="hidden")]
        response = post_answer(client, fix, "unresolved")
        soup = BeautifulSoup(client.get(response["Location"]).content, "html.parser")
    FlowEvent.objects.all().delete()
    assert form.select_one("button[value=done]") and not form.select_one("button[value=resolved]")
    pairs = [
        (i["name"], i["value"])
        for i in form.find_all("input", type="hidden")
        if i["name"] != "csrfmiddlewaretoken"
    ]
    token, remedy = flow_token(dict(pairs)["f"]), dict(pairs)["remedy"]
    post_answer(client, pairs, "resolved")  # not offered for an action: nothing recorded
    assert not FlowEvent.objects.filter(flow_id=token).exists()
    response = post_answer(client, pairs, "done")
    assert response.status_code == 303
    assert ("tried", remedy) in parse_qsl(urlsplit(response["Location"]).query)
    assert list(FlowEvent.objects.filter(flow_id=token).values_list("kind", "key")) == [
        ("done", remedy)
    ]


def test_htmx_answer_gets_the_next_step_and_its_url(client: Client, content: object) -> None:
    pairs, remedy = result_state(client)
    response = post_answer(client, pairs, "resolved", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content and b'id="flow-step"' in response.content
    assert ("resolved", remedy) in parse_qsl(urlsplit(response["HX-Push-Url"]).query)


def test_forged_or_missing_flow_ids_and_unknown_fixes_record_nothing(
    client: Client, content: object
) -> None:
    pairs, _ = result_state(client)
    forged = [(k, "0123456789abcdef" if k == "f" else v) for k, v in pairs]
    assert post_answer(client, forged, "unresolved").status_code == 303
    no_id = [(k, v) for k, v in pairs if k != "f"]
    assert post_answer(client, no_id, "unresolved").status_code == 303
    unknown_fix = [(k, "424242" if k == "remedy" else v) for k, v in pairs]
    assert post_answer(client, unknown_fix, "unresolved").status_code == 303
    assert FlowEvent.objects.count() == 0


def test_malformed_answers_get_a_japanese_400_and_record_nothing(
    client: Client, content: object
) -> None:
    pairs, _ = result_state(client)
    bad = post_answer(client, [*pairs, ("tried", "abc")], "unresolved")
    assert bad.status_code == 400
    assert "リクエストを処理できません" in bad.content.decode()
    assert post_answer(client, pairs, "explode").status_code == 400
    assert FlowEvent.objects.count() == 0


def test_answers_need_a_csrf_token(content: object) -> None:
    client = Client(enforce_csrf_checks=True)
    pairs, _ = result_state(client)
    response = post_answer(client, pairs, "unresolved")
    assert response.status_code == 403
    assert FlowEvent.objects.count() == 0


def test_crawlers_record_nothing(client: Client, content: object) -> None:
    pairs, _ = result_state(client)
    response = post_answer(client, pairs, "unresolved", HTTP_USER_AGENT="Googlebot/2.1")
    assert response.status_code == 303
    assert FlowEvent.objects.count() == 0


def test_a_flow_holds_at_most_a_fixed_number_of_events(content: object) -> None:
    token = "feedfacecafebeef"
    wrote = outcomes.record(token, "shopping", [], [("tried", str(i)) for i in range(500)])
    assert wrote == outcomes.MAX_EVENTS
    assert outcomes.record(token, "shopping", [], [("resolved", "1")]) == 0
    assert FlowEvent.objects.filter(flow_id=token).count() == outcomes.MAX_EVENTS


@pytest.mark.usefixtures("one_window")
def test_a_burst_of_posts_meets_a_japanese_429(client: Client, content: object) -> None:
    pairs, _ = result_state(client)
    statuses = [post_answer(client, pairs, "unresolved").status_code for _ in range(70)]
    assert statuses[0] == 303 and statuses[-1] == 429
    response = post_answer(client, pairs, "unresolved")
    assert response.status_code == 429 and response["Retry-After"]
    soup = BeautifulSoup(response.content, "html.parser")
    assert "少し時間をおいてください" in soup.h1.get_text()


@pytest.mark.usefixtures("one_window")
def test_a_burst_of_api_calls_meets_a_json_429(client: Client, content: object) -> None:
    """A scraper asking one query after another; an answer already in the page cache costs
    nothing and is not counted."""
    statuses = [client.get("/api/search", {"q": f"停止 {n}"}).status_code for n in range(125)]
    assert statuses[0] == 200 and statuses[-1] == 429
    response = client.get("/api/search", {"q": "停止 いま"})
    assert response.status_code == 429 and "error" in response.json()
    assert client.get("/api/search", {"q": "停止 0"})["X-Cache"] == "hit"


# --- The beacon ---------------------------------------------------------------------------------


def beacon(client: Client, data: str, **headers: str):
    return client.post("/beacon", data, content_type="application/x-www-form-urlencoded", **headers)


def test_a_result_view_is_reported_by_the_pages_beacon(client: Client, content: object) -> None:
    soup = BeautifulSoup(client.get(RESULT).content, "html.parser")
    data = soup.select_one("#flow-step")["data-beacon"]
    assert beacon(client, data).status_code == 204
    token = flow_token(dict(parse_qsl(data))["f"])
    assert list(FlowEvent.objects.filter(flow_id=token).values_list("kind", flat=True)) == [
        "answered"
    ]
    # a beacon that claims a step the answers do not reach records nothing
    fake = urlencode([("event", "answered"), ("f", new_flow_id()), ("service", "shopping")])
    assert beacon(client, fake).status_code == 204
    assert FlowEvent.objects.count() == 1


def test_the_search_log_keeps_no_personal_data(client: Client, content: object) -> None:
    for typed in ("taro.yamada@example.com ログインできない", "確認コード 483920", "Passw0rd!"):
        assert beacon(client, urlencode({"event": "search", "query": typed})).status_code == 204
    stored = list(SearchLog.objects.values_list("query", flat=True))
    assert sorted(stored) == sorted(["[メールアドレス] ログインできない", "確認コード [数字]"])
    text = " ".join(stored)
    assert "example.com" not in text and "483920" not in text and "Passw0rd" not in text


def test_searches_zero_results_and_clicks_are_counted_without_identity(
    client: Client, content: object
) -> None:
    page = BeautifulSoup(client.get("/search/", {"q": "停止"}).content, "html.parser")
    results = page.select_one("#search-results")
    assert results["data-query"] == "停止" and results["data-beacon"]
    typing = BeautifulSoup(
        client.get("/search/", {"q": "停止"}, HTTP_HX_REQUEST="true").content, "html.parser"
    )
    assert not typing.select_one("#search-results").has_attr("data-beacon")  # typing: not counted

    beacon(client, urlencode({"event": "click", "query": "ずんだもち"}))  # never searched
    beacon(client, urlencode({"event": "search", "query": "ずんだもち"}))
    beacon(client, urlencode({"event": "search", "query": "ずんだもち"}))
    beacon(client, results["data-beacon"])
    beacon(client, urlencode({"event": "click", "query": "停止"}))
    zero = SearchLog.objects.get(query="ずんだもち")
    assert (zero.searches, zero.zero_results, zero.clicks) == (2, 2, 0)
    hit = SearchLog.objects.get(query="停止")
    assert (hit.searches, hit.zero_results, hit.clicks) == (1, 0, 1)
    fields = {f.name for f in SearchLog._meta.get_fields()}
    assert not fields & {"ip", "user", "session", "user_agent"}


def test_api_searches_are_not_counted(client: Client, content: object) -> None:
    client.get("/api/search", {"q": "停止"})
    assert SearchLog.objects.count() == 0


def test_a_bad_beacon_is_refused_quietly(client: Client, content: object) -> None:
    refused = beacon(client, "event=delete-everything")
    assert refused.status_code == 400
    # Like every refusal, a Japanese page that names the problem (it used to be an empty body).
    assert 'lang="ja"' in refused.text and "delete-everything" in refused.text
    assert client.get("/beacon").status_code == 405
    assert row_counts()["feedback.SearchLog"] == 0
