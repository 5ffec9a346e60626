"""The situations issue 9 added, walked over HTTP as a person without JavaScript would: the right
first step within four answers, urgent causes as checklists with the contact button first,
support one press away once the leading cause is used up, and a summary of only what was done."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from articles.models import Cause, Service
from tests.diagnosis.test_flow_views import page, question_form, submit

pytestmark = pytest.mark.django_db


def walk_steps(client: Client, service: str, *answers: list[str]) -> tuple[int, BeautifulSoup]:
    """Answer question by question (the service first); returns how many answers it took to reach
    a result, and the result page."""
    soup = page(client, "/diagnose/")
    count = 0
    for choice in [[service], *answers]:
        form = question_form(soup)
        assert form is not None, f"a result came before the answer {choice}"
        _url, soup = submit(client, form, choice)
        count += 1
        if question_form(soup) is None:
            return count, soup
    raise AssertionError(f"still asking questions after {count} answers: {soup.h1.get_text()}")


def title(slug: str) -> str:
    return Cause.objects.get(slug=slug).title


def first_step(soup: BeautifulSoup) -> str:
    """What the result asks the person to do first: a checklist, or the current fix's cause."""
    checklist = soup.select_one("section.checklist h2")
    if checklist:
        return checklist.get_text(" ", strip=True)
    return soup.select_one(".current-cause").get_text(" ", strip=True)


@pytest.mark.parametrize(
    ("service", "answers", "cause"),
    [
        ("prime-video", [["device-tv"], ["tv-code-fails"]], "prime-video-tv-sign-in"),
        ("prime-video", [["device-tv"], ["symptom-other"]], "prime-video-tv-sign-in"),
        ("shopping", [["phone-lost", "passkey-fails"]], "lost-phone"),
        ("shopping", [["passkey-fails"]], "passkey-trouble"),
        ("shopping", [["account-on-hold"]], "account-on-hold"),
        (
            "shopping",
            [["account-on-hold", "password-rejected"], ["changed-nothing"], ["new-device-no"]],
            "account-on-hold",
        ),
        ("shopping", [["unrequested-code"]], "unrequested-code"),
        (
            "seller-central",
            [["unrequested-code", "code-asked"], ["new-device-no"]],
            "unrequested-code",
        ),
        ("shopping", [["email-unreachable"]], "email-unreachable"),
        (
            "unsure",
            [["email-unreachable", "password-rejected"], ["changed-nothing"], ["new-device-no"]],
            "email-unreachable",
        ),
        ("shopping", [["too-many-attempts"]], "too-many-attempts"),
        ("shopping", [["other-amazon-site"]], "other-amazon-site"),
        ("prime-video", [["device-tv"], ["pin-or-profile"]], "prime-video-pin-profile"),
        ("prime-video", [["device-browser"], ["family-member"]], "prime-family-member"),
        ("shopping", [["account-closed"]], "account-closed"),
    ],
)
def test_each_situation_gets_the_right_first_step_within_four_answers(
    client: Client, content: object, service: str, answers: list[list[str]], cause: str
) -> None:
    count, soup = walk_steps(client, service, *answers)
    assert count <= 4
    assert title(cause) in first_step(soup)


def test_an_urgent_cause_is_a_checklist_with_the_contact_button_first(
    client: Client, content: object
) -> None:
    _count, soup = walk_steps(client, "shopping", ["unrequested-code"])
    checklist = soup.select_one("section.checklist")
    button = checklist.find("button", attrs={"value": "escalate"})
    steps = checklist.select(".checklist-steps > li")
    assert button is not None and len(steps) >= 2
    assert str(checklist).index(str(button)) < str(checklist).index(str(steps[0]))
    # Nobody is asked whether reporting a takeover "got them in".
    cause = Cause.objects.get(slug="unrequested-code")
    current = soup.select_one(".current-fix")
    for remedy in cause.remedies.all():
        assert current is None or remedy.title not in current.get_text()
    # The button leads to the support channels.
    _url, contact = submit(client, button.find_parent("form"), button=button)
    assert contact.select(".channel, .channels, section[aria-labelledby='channels-title'] a")


def test_support_is_one_press_away_once_the_leading_cause_is_used_up(
    client: Client, content: object
) -> None:
    _count, soup = walk_steps(client, "shopping", ["pages-not-loading"], ["other-device-untried"])
    leading = soup.select_one(".current-cause a").get_text()
    presses = 0
    while leading in soup.select_one(".current-cause").get_text():
        assert not soup.select_one(".current-fix").find("button", attrs={"value": "escalate"})
        button = soup.select_one(
            ".current-fix button[value=unresolved], .current-fix button[value=done]"
        )
        _url, soup = submit(client, button.find_parent("form"), button=button)
        presses += 1
        assert presses < 10
    assert soup.select_one(".current-fix").find("button", attrs={"value": "escalate"})


def test_actions_are_marked_done_and_the_summary_holds_only_what_was_done(
    client: Client, content: object
) -> None:
    _count, soup = walk_steps(client, "seller-central", ["no-permission"], ["seller-invited-user"])
    did: list[str] = []
    for _ in range(2):
        current = soup.select_one(".current-fix")
        did.append(current.select_one(".current-remedy").get_text(strip=True))
        button = current.select_one("button[value=done], button[value=unresolved]")
        if button["value"] == "done":
            assert not current.select_one("button[value=resolved]")  # never "did this fix it?"
        _url, soup = submit(client, button.find_parent("form"), button=button)
    button = soup.select_one("form.escalate button[value=escalate]")
    _url, contact = submit(client, button.find_parent("form"), button=button)
    summary = contact.select_one("#flow-summary").get_text()
    numbered = [line for line in summary.splitlines() if line[:1].isdigit()]
    assert [line.split(" ", 1)[1].split(" → ")[0] for line in numbered] == did
    for cause in Cause.objects.exclude(slug="seller-permissions-lost"):
        assert cause.title not in summary
        for remedy in cause.remedies.all():
            assert remedy.title not in summary


def test_back_and_change_show_the_earlier_answers_still_ticked(
    client: Client, content: object
) -> None:
    soup = page(client, "/diagnose/?service=shopping")  # the symptoms, the service chosen
    _url, soup = submit(client, question_form(soup), ["code-not-arriving", "captcha-failing"])
    assert question_form(soup) is not None  # a follow-up question
    back = page(client, soup.select_one("a.back-link")["href"])
    ticked = {i["value"] for i in back.select(".options input[checked]")}
    assert ticked == {"code-not-arriving", "captcha-failing"}
    for link in soup.select(".change-link"):
        again = page(client, link["href"])
        assert again.select(".options input[checked]"), link["href"]


def test_remaining_questions_never_go_up(client: Client, content: object) -> None:
    soup = page(client, "/diagnose/")
    counts = []
    for choice in [["shopping"], ["password-rejected", "code-rejected"], ["changed-nothing"]]:
        text = soup.select_one(".flow-progress span").get_text()
        counts.append(int("".join(c for c in text if c.isdigit())))
        _url, soup = submit(client, question_form(soup), choice)
    assert counts == sorted(counts, reverse=True) and len(set(counts)) == len(counts)


def test_a_service_page_starts_the_flow_with_its_service_chosen(
    client: Client, content: object
) -> None:
    service = Service.objects.get(slug="prime-video")
    soup = page(client, service.get_absolute_url())
    link = soup.select_one(".cta a.button")
    flow = page(client, link["href"])
    asked = flow.select_one("form.flow-form input[name=q]")["value"]
    assert asked != "service"  # straight to the next question
    assert flow.select_one("form.flow-form input[name=service]")["value"]


def test_cause_and_faq_pages_show_their_official_source_and_when_it_was_checked(
    client: Client, content: object
) -> None:
    sourced = Cause.objects.published().exclude(source_url="").first()
    assert sourced is not None
    soup = page(client, sourced.get_absolute_url())
    source = soup.select_one(".source")
    assert source.find("a")["href"] == sourced.source_url
    assert str(sourced.checked_on.year) in source.get_text()
