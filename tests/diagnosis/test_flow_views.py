"""The guided flow over HTTP: no JavaScript needed, htmx gets partials, bad input gets a 400."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles.models import Cause, Service
from diagnosis.flow import flow_token
from diagnosis.models import Option, Question
from feedback.models import FlowEvent
from tests.diagnosis import factories

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def label(slug: str) -> str:
    """An option's label as staff wrote it (tests never hard-code what staff can edit)."""
    return Option.objects.get(slug=slug).label


def page(client: Client, url: str, status: int = 200, **headers: str) -> BeautifulSoup:
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code)
    return BeautifulSoup(response.content, "html.parser")


def submit(
    client: Client, form: Tag, choose: list[str] | None = None, button: Tag | None = None
) -> tuple[str, BeautifulSoup]:
    """Submit a form as a browser without JavaScript would: a GET form goes to its URL; a POST
    form answers 303 and the browser follows to the next step's URL."""
    pairs = [(i["name"], i["value"]) for i in form.find_all("input", type="hidden")]
    for value in choose or []:
        box = form.find("input", attrs={"value": value, "type": ["radio", "checkbox"]})
        assert box is not None, f"no option {value} in the form"
        pairs.append((box["name"], value))
    if button is not None and button.get("name"):
        pairs.append((button["name"], button["value"]))
    if form["method"] == "get":
        url = f"{form['action']}?{urlencode(pairs)}"
        return url, page(client, url)
    assert form["method"] == "post"
    response = client.post(form["action"], pairs and _as_data(pairs))
    assert response.status_code == 303, response.status_code
    url = response["Location"]
    return url, page(client, url)


def _as_data(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


def question_form(soup: BeautifulSoup) -> Tag:
    return soup.select_one("form.flow-form")


def answer(client: Client, soup: BeautifulSoup, label: str) -> tuple[str, BeautifulSoup]:
    """Press the result step's button whose label starts with `label`."""
    button = soup.find("button", string=lambda s: s and s.startswith(label))
    return submit(client, button.find_parent("form"), button=button)


def walk(client: Client, service: str, *answers: list[str]) -> tuple[str, BeautifulSoup]:
    url, soup = "/diagnose/", page(client, "/diagnose/")
    url, soup = submit(client, question_form(soup), [service])
    for chosen in answers:
        url, soup = submit(client, question_form(soup), chosen)
    return url, soup


def test_first_step_asks_for_the_service_and_promises_not_to_ask_for_secrets(
    client: Client, content: object
) -> None:
    soup = page(client, "/diagnose/")
    assert soup.h1.get_text(strip=True) == Question.objects.get(kind="service").text
    text = soup.get_text()
    assert "メールアドレス・パスワード・確認コードは一切たずねません" in text
    assert "残り最大" in text
    assert not soup.find("input", attrs={"type": ["password", "email"]})
    labels = [x.get_text(strip=True) for x in soup.select(".options .option-label")]
    assert {label("seller-central"), label("unsure")} <= set(labels)


def test_seller_central_otp_never_arrives_walks_to_two_step_fixes_and_resolves(
    client: Client, content: object
) -> None:
    url, soup = walk(
        client, "seller-central", ["code-not-arriving"], ["changed-nothing"], ["new-device-no"]
    )
    assert soup.h1.get_text(strip=True) == "考えられる原因と対処法"
    c3 = Cause.objects.get(code="C3")
    assert soup.select_one(".current-cause a")["href"] == c3.get_absolute_url()
    first = soup.select("ol.ranking > li")[0]
    assert c3.title in first.summary.get_text() and first.details.has_attr("open")
    assert label("code-not-arriving") in first.select_one(".reasons").get_text()
    # Codes that never arrive: the remedy staff mark for that answer comes first, then the rest
    # in staff order.
    remedies = list(c3.remedies.all())
    first_fix = [r for r in remedies if "code-not-arriving" in r.first_when_list]
    order = first_fix + [r for r in remedies if r not in first_fix]
    assert first_fix
    current = soup.select_one(".current-remedy").get_text(strip=True)
    assert current == order[0].title

    # Not resolved: the next remedy of the same cause.
    url, soup = answer(client, soup, "解決しない")
    assert soup.select_one(".current-remedy").get_text(strip=True) == order[1].title
    assert "試した：解決せず" in soup.select("ol.ranking > li")[0].get_text()
    # Resolved: thanks and the prevention tips for that cause.
    url, soup = answer(client, soup, "解決した")
    assert soup.h1.get_text(strip=True) == "解決してよかったです"
    tips = {a["href"] for a in soup.select(".card-list a")}
    assert tips and tips == {t.get_absolute_url() for t in c3.tips.published()}

    flow_id = flow_token(dict(parse_qsl(urlsplit(url).query))["f"])
    kinds = sorted(FlowEvent.objects.filter(flow_id=flow_id).values_list("kind", flat=True))
    assert kinds == ["resolved", "tried"]  # views are counted by the beacon, which needs JS
    resolved = FlowEvent.objects.get(flow_id=flow_id, kind="resolved")
    assert resolved.service == "seller-central" and resolved.key == str(order[1].pk)


def test_unknown_orders_lead_with_the_takeover_warning(client: Client, content: object) -> None:
    _url, soup = walk(
        client,
        "shopping",
        ["unknown-activity", "captcha-failing"],
        ["new-device-no"],
        ["other-device-works"],
    )
    c9 = Cause.objects.get(code="C9")
    checklist = soup.select_one("section.checklist")
    alert = checklist.select_one("[role=alert]")
    assert c9.title in checklist.h2.get_text() and c9.warning in alert.get_text()
    assert c9.title in soup.select("ol.ranking > li")[0].get_text()


def test_trying_everything_ends_at_the_services_support_with_a_summary(
    client: Client, content: object
) -> None:
    url, soup = walk(
        client, "prime-video", ["device-mobile-app"], ["app-only"], ["other-device-works"]
    )
    tried = []
    for _ in range(60):
        if soup.h1.get_text(strip=True) != "考えられる原因と対処法":
            break
        tried.append(soup.select_one(".current-remedy").get_text(strip=True))
        url, soup = answer(client, soup, "解決しない")
    assert soup.h1.get_text(strip=True) == "公式サポートに問い合わせる"
    assert "すべて試しました" in soup.get_text()
    channel = soup.select_one(".channel")
    assert channel is not None and channel["id"] == "prime-video-customer-service"
    summary = soup.select_one("textarea#flow-summary").get_text()
    assert f"サービス：{Service.objects.get(slug='prime-video').name}" in summary
    assert label("app-only") in summary
    assert [
        line.split(". ", 1)[1].split(" → ")[0]
        for line in summary.splitlines()
        if line[:1].isdigit()
    ] == tried
    assert "パスワードや確認コードはここに書いていません" in summary
    flow_id = flow_token(dict(parse_qsl(urlsplit(url).query))["f"])
    assert FlowEvent.objects.filter(flow_id=flow_id, kind="escalated").exists()
    assert FlowEvent.objects.filter(flow_id=flow_id, kind="tried").count() == len(tried)


def test_earlier_answers_can_be_changed(client: Client, content: object) -> None:
    _, soup = walk(client, "shopping", ["code-not-arriving"])
    change = soup.select(".flow-answers a.change-link")
    assert len(change) == 2
    soup = page(client, change[1]["href"])  # the symptom question again, answers kept checked
    assert soup.h1.get_text(strip=True) == Question.objects.get(slug="symptom").text
    assert soup.find("input", attrs={"value": "code-not-arriving"}).has_attr("checked")
    _url, soup = submit(client, question_form(soup), ["captcha-failing"])
    assert label("captcha-failing") in soup.select_one(".flow-answers").get_text()


def test_submitting_without_choosing_shows_a_form_error(client: Client, content: object) -> None:
    soup = page(client, "/diagnose/")
    _url, soup = submit(client, question_form(soup), [])
    assert (
        soup.select_one(".form-error").get_text(strip=True)
        == "選択肢を選んでから「次へ」を押してください。"
    )
    assert soup.find("input", attrs={"aria-invalid": "true"}) is not None


def test_htmx_gets_the_step_partial_and_history_restore_gets_the_page(
    client: Client, content: object
) -> None:
    url = "/diagnose/?service=shopping"
    full = client.get(url)
    partial = client.get(url, **HX)
    restore = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert b"<html" in full.content and b"<html" in restore.content
    assert b"<html" not in partial.content and b'id="flow-step"' in partial.content
    soup = BeautifulSoup(partial.content, "html.parser")
    assert soup.select_one("#flow-step")["data-announce"].startswith("質問2（残り最大")
    assert "HX-Request" in full["Vary"]
    assert b"site-header" in full.content and b"site-header" not in partial.content


def test_the_whole_page_carries_htmx_attributes_on_real_links_and_forms(
    client: Client, content: object
) -> None:
    soup = page(client, "/diagnose/?service=shopping&a=password-rejected")
    flow = soup.select_one("#flow")
    assert flow["data-hx-target"] == "#flow-step" and flow["data-hx-push-url"] == "true"
    for element in soup.select("[data-hx-get]"):
        assert (element.name == "a" and element["href"]) or (
            element.name == "form" and element["action"]
        )
    assert soup.select_one("[aria-live=polite]#flow-announcer") is not None


@pytest.mark.parametrize(
    "query",
    [
        "service=%3Cscript%3E",
        "a=DROP%20TABLE",
        "tried=abc",
        "resolved=-1",
        "service=shopping&service=seller-central",
        "a=" + "x" * 200,
        "&".join(f"a=o{i}" for i in range(50)),
        "tried=99999999999999999999",
    ],
)
def test_invalid_query_strings_get_a_japanese_400(
    client: Client, content: object, query: str
) -> None:
    soup = page(client, f"/diagnose/?{query}", status=400)
    assert "リクエストを処理できません" in soup.h1.get_text()
    assert soup.find("a", href="/diagnose/") is not None


def test_unknown_but_well_formed_answers_are_ignored_with_a_note(
    client: Client, content: object
) -> None:
    soup = page(
        client, "/diagnose/?service=shopping&a=no-such-answer&a=password-rejected&tried=424242"
    )
    notes = soup.select_one("[role=note]").get_text()
    assert "no-such-answer" in notes


def test_a_step_runs_at_most_two_queries(client: Client, content: object) -> None:
    urls = [
        "/diagnose/",
        "/diagnose/?service=seller-central",
        "/diagnose/?service=seller-central&a=code-not-arriving&a=changed-nothing&a=new-device-no",
    ]
    client.get(urls[0])  # builds the graph once
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert len(ctx) <= 2, (url, [q["sql"] for q in ctx.captured_queries])


def test_the_graph_follows_staff_edits(client: Client, content: object) -> None:
    client.get("/diagnose/?service=shopping")
    question = Question.objects.get(slug="symptom")
    question.text = "スタッフが変えた質問文"
    question.save()
    assert "スタッフが変えた質問文" in page(client, "/diagnose/?service=shopping").h1.get_text()
    option = Option.objects.get(slug="captcha-failing")
    option.label = "新しい選択肢の文"
    option.save()
    assert "新しい選択肢の文" in page(client, "/diagnose/?service=shopping").get_text()


def test_api_returns_ranked_causes_with_scores_reasons_and_urls(
    client: Client, content: object
) -> None:
    response = client.get(
        "/api/diagnose?service=seller-central&answers=code-not-arriving,new-device-yes"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    first = data["causes"][0]
    assert first["code"] == "C3" and first["score"] > 0 and first["reasons"]
    assert first["url"].endswith(Cause.objects.get(code="C3").get_absolute_url())
    assert first["remedies"] and all("#remedy-" in r["url"] for r in first["remedies"])
    scores = [c["score"] for c in data["causes"] if not c["urgent"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "query,field",
    [
        ("", "service"),
        ("service=nope", "service"),
        ("service=shopping&answers=ghost", "answers"),
        ("service=shopping&answers=" + ",".join(["password-rejected"] * 50), "answers"),
    ],
)
def test_api_rejects_bad_input_with_a_json_error_naming_the_field(
    client: Client, content: object, query: str, field: str
) -> None:
    response = client.get(f"/api/diagnose?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_api_answers_are_measured_as_sent_and_other_methods_get_its_405(
    client: Client, content: object
) -> None:
    # The description says at most 2,440 characters: whitespace around the value used to be
    # stripped before counting, so a longer value of spaces was accepted.
    padded = client.get("/api/diagnose", {"service": "shopping", "answers": " " * 2441})
    assert padded.status_code == 400 and padded.json()["error"]["field"] == "answers"
    spaced = client.get("/api/diagnose", {"service": "shopping", "answers": " code-asked , "})
    assert spaced.status_code == 200 and spaced.json()["answers"] == ["code-asked"]
    # A POST without a CSRF token used to get the HTML CSRF page (403), not the API's JSON 405.
    posted = Client(enforce_csrf_checks=True).post("/api/diagnose?service=shopping")
    assert posted.status_code == 405 and "error" in posted.json()


def test_a_question_staff_add_is_asked_and_weighs_its_cause(
    client: Client, content: object
) -> None:
    cause = Cause.objects.get(code="C7")
    added = factories.question(text="ルーターを再起動しましたか？")
    yes = factories.option(added, weights={cause: 40}, label="まだ再起動していない")
    factories.option(added, neutral=True, label="わからない")
    _url, soup = walk(client, "shopping", ["captcha-failing"], ["new-device-no"])
    for _ in range(10):
        if soup.h1.get_text(strip=True) == added.text:
            break
        last = soup.select(".options input")[-1]  # the shipped questions end with "don't know"
        _url, soup = submit(client, question_form(soup), [str(last["value"])])
    _url, soup = submit(client, question_form(soup), [yes.slug])
    assert soup.select_one(".current-cause a")["href"] == cause.get_absolute_url()
    assert yes.label in soup.select("ol.ranking > li")[0].select_one(".reasons").get_text()


def test_search_engines_may_find_the_flow_but_never_a_visitors_answers(
    client: Client, content: object
) -> None:
    robots = client.get("/robots.txt").content.decode().splitlines()
    assert "Disallow: /diagnose/?" in robots and "Disallow: /diagnose/" not in robots

    def noindex(url: str) -> bool:
        page = BeautifulSoup(client.get(url).content, "html.parser")
        return page.find("meta", attrs={"name": "robots", "content": "noindex"}) is not None

    assert not noindex("/diagnose/")
    assert noindex("/diagnose/?service=shopping")
    assert noindex("/diagnose/?service=shopping&a=unknown-activity")
