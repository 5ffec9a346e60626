"""「この記事は役に立ちましたか？」: one vote per browser and page, comments stripped of personal
data and shown as text, CSRF and a rate limit, and the article pages themselves unchanged for
everyone (no token, no cookie) so they can be cached."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from articles.models import FAQ, Cause, PreventionTip
from feedback.models import Vote

pytestmark = pytest.mark.django_db


def urls(page: object, kind: str) -> tuple[str, str, str]:
    pk = page.pk
    return (
        reverse("feedback:vote_form", args=[kind, pk]),
        reverse("feedback:vote", args=[kind, pk]),
        reverse("feedback:vote_comment", args=[kind, pk]),
    )


def text(response: object) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


@pytest.mark.parametrize(
    ("model", "kind"), [(Cause, "cause"), (FAQ, "faq"), (PreventionTip, "tip")]
)
def test_every_article_asks_without_a_token_or_cookie(
    client: Client, content: object, model: type, kind: str
) -> None:
    page = model.objects.published().first()
    response = client.get(page.get_absolute_url())
    soup = BeautifulSoup(response.content, "html.parser")
    slot = soup.select_one("#article-feedback")
    assert "この記事は役に立ちましたか？" in slot.get_text()
    form_url = urls(page, kind)[0]
    assert slot["data-hx-get"] == form_url and slot.select_one(f'a[href="{form_url}"]')
    assert not soup.select("input[name=csrfmiddlewaretoken]") and not response.cookies


def test_voting_without_javascript_once_per_page(client: Client, content: object) -> None:
    cause = Cause.objects.published().first()
    form_url, vote_url, _ = urls(cause, "cause")
    page = client.get(form_url)
    assert page.status_code == 200 and "はい" in text(page)
    response = client.post(vote_url, {"helpful": "yes"})
    assert response.status_code == 303
    assert "回答を受け付けました" in text(client.get(response["Location"]))
    again = client.post(vote_url, {"helpful": "no"})
    assert "すでに回答いただいています" in text(again)
    assert list(Vote.objects.values_list("page", "object_id", "helpful")) == [
        ("cause", cause.pk, True)
    ]
    # Another page is another vote.
    faq = FAQ.objects.published().first()
    client.post(urls(faq, "faq")[1], {"helpful": "no"})
    assert Vote.objects.count() == 2


def test_htmx_swaps_in_the_thanks_and_the_comment_box(client: Client, content: object) -> None:
    cause = Cause.objects.published().first()
    _, vote_url, comment_url = urls(cause, "cause")
    response = client.post(vote_url, {"helpful": "no"}, HTTP_HX_REQUEST="true")
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("[role=status]").get_text(strip=True).startswith("ありがとうございます")
    assert soup.select_one(f'form[data-hx-post="{comment_url}"] textarea[maxlength="1000"]')


def test_a_comment_is_stripped_of_personal_data_and_shown_as_text(
    client: Client, content: object
) -> None:
    cause = Cause.objects.published().first()
    _, vote_url, comment_url = urls(cause, "cause")
    client.post(vote_url, {"helpful": "no"})
    typed = "<b>手順</b><script>alert('x')</script> taro@example.com 090-1234-5678 に送って"
    response = client.post(comment_url, {"comment": typed}, HTTP_HX_REQUEST="true")
    assert "ご意見ありがとうございます" in text(response)
    stored = Vote.objects.get().comment
    assert "taro@example.com" not in stored and "090-1234-5678" not in stored
    staff = Client()
    staff.force_login(User.objects.create_superuser("chief", "c@example.invalid", "x"))
    listing = staff.get(reverse("admin:feedback_vote_changelist")).content.decode()
    assert "&lt;b&gt;手順" in listing and "<b>手順" not in listing  # text, not markup


def test_a_comment_needs_this_browsers_vote_and_at_most_1000_characters(
    client: Client, content: object
) -> None:
    cause = Cause.objects.published().first()
    _, vote_url, comment_url = urls(cause, "cause")
    refused = client.post(comment_url, {"comment": "勝手なコメント"})
    assert refused.status_code == 400 and "先に「はい」か「いいえ」" in text(refused)
    client.post(vote_url, {"helpful": "yes"})
    other = Client()  # another browser cannot comment on this vote
    assert other.post(comment_url, {"comment": "横から"}).status_code == 400
    long = client.post(comment_url, {"comment": "あ" * 1001})
    assert long.status_code == 400 and "1,000文字以内" in text(long)
    assert Vote.objects.get().comment == ""


def test_staff_mark_comments_handled(client: Client, content: object) -> None:
    cause = Cause.objects.published().first()
    _, vote_url, comment_url = urls(cause, "cause")
    client.post(vote_url, {"helpful": "no"})
    client.post(comment_url, {"comment": "手順2の画面が違いました"})
    staff = Client()
    staff.force_login(User.objects.create_superuser("chief", "c@example.invalid", "x"))
    listing = reverse("admin:feedback_vote_changelist")
    staff.post(listing, {"action": "mark_handled", "_selected_action": [Vote.objects.get().pk]})
    assert Vote.objects.get().handled


def test_bad_input_gets_japanese_answers_and_stores_nothing(
    client: Client, content: object
) -> None:
    cause = Cause.objects.published().first()
    _, vote_url, _ = urls(cause, "cause")
    assert client.post(vote_url, {"helpful": "maybe"}).status_code == 400
    assert client.get(reverse("feedback:vote_form", args=["nope", 1])).status_code == 404
    assert (
        client.post(
            reverse("feedback:vote", args=["cause", 999999]), {"helpful": "yes"}
        ).status_code
        == 404
    )
    assert client.get(vote_url).status_code == 405
    crawler = client.post(vote_url, {"helpful": "yes"}, HTTP_USER_AGENT="Googlebot/2.1")
    assert crawler.status_code == 303
    assert not Vote.objects.exists()


def test_votes_need_the_csrf_token(content: object) -> None:
    browser = Client(enforce_csrf_checks=True)
    cause = Cause.objects.published().first()
    form_url, vote_url, _ = urls(cause, "cause")
    assert browser.post(vote_url, {"helpful": "yes"}).status_code == 403
    token = BeautifulSoup(browser.get(form_url).content, "html.parser").select_one(
        "input[name=csrfmiddlewaretoken]"
    )["value"]
    assert (
        browser.post(vote_url, {"helpful": "yes", "csrfmiddlewaretoken": token}).status_code == 303
    )
    assert Vote.objects.count() == 1


def test_a_burst_of_votes_meets_a_japanese_429(content: object) -> None:
    causes = list(Cause.objects.published()[:12])
    statuses = []
    for cause in causes:
        statuses.append(Client().post(urls(cause, "cause")[1], {"helpful": "yes"}).status_code)
    assert statuses[0] == 303 and statuses[-1] == 429
    response = Client().post(urls(causes[0], "cause")[1], {"helpful": "yes"})
    assert "少し時間をおいてください" in text(response)
