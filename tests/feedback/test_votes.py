"""「この記事は役に立ちましたか？」: one vote per browser and page, comments stripped of personal
data and shown as text, CSRF and a rate limit, and the article pages themselves unchanged for
everyone (no token, no cookie) so they can be cached."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils.http import int_to_base36

from articles.models import FAQ, Cause, PreventionTip
from feedback import votes
from feedback.models import Vote

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
THANKS = "ありがとうございます。回答を受け付けました。"
ALREADY = "このページにはすでに回答いただいています"


def urls(page: object, kind: str) -> tuple[str, str, str]:
    pk = page.pk
    return (
        reverse("feedback:vote_form", args=[kind, pk]),
        reverse("feedback:vote", args=[kind, pk]),
        reverse("feedback:vote_comment", args=[kind, pk]),
    )


def soup_of(response: HttpResponse) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def text(response: HttpResponse) -> str:
    return soup_of(response).get_text(" ", strip=True)


def status_line(response: HttpResponse) -> str:
    """What the widget's status line says (announced to screen readers): on a page, or sent
    out of band by htmx into the status line already on the page."""
    soup = soup_of(response)
    line = soup.select_one("[role=status]#vote-status") or soup.select_one(
        '#vote-status[data-hx-swap-oob="innerHTML"]'
    )
    assert line is not None
    return line.get_text(" ", strip=True)


def staff_client() -> Client:
    staff = Client()
    staff.force_login(User.objects.create_superuser("chief", "c@example.invalid", "x"))
    return staff


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.mark.parametrize(
    ("model", "kind"), [(Cause, "cause"), (FAQ, "faq"), (PreventionTip, "tip")]
)
def test_every_article_asks_without_a_token_or_cookie(
    client: Client, content: object, model: type, kind: str
) -> None:
    page = model.objects.published().first()
    response = client.get(page.get_absolute_url())
    soup = soup_of(response)
    slot = soup.select_one("#article-feedback")
    assert "この記事は役に立ちましたか？" in slot.get_text()
    form_url = urls(page, kind)[0]
    assert slot["data-hx-get"] == form_url and slot.select_one(f'a[href="{form_url}"]')
    assert not soup.select("input[name=csrfmiddlewaretoken]") and not response.cookies
    # What htmx swaps in: two real buttons, the token, an empty status line.
    widget = soup_of(client.get(form_url, **HTMX))
    buttons = [b.get_text(strip=True) for b in widget.select("form button[type=submit]")]
    assert buttons == ["はい", "いいえ"] and widget.select_one("input[name=csrfmiddlewaretoken]")
    assert widget.select_one("#vote-status[role=status]").get_text(strip=True) == ""


def test_voting_without_javascript(client: Client, content: object) -> None:
    cause = Cause.objects.published().first()
    form_url, vote_url, comment_url = urls(cause, "cause")
    page = client.get(form_url)
    assert page.status_code == 200 and "はい" in text(page)
    response = client.post(vote_url, {"helpful": "yes"})
    assert response.status_code == 303 and response["Location"] == f"{form_url}?thanks=1"
    thanks = client.get(response["Location"])
    assert THANKS in status_line(thanks)
    assert soup_of(thanks).select_one(f'form[action="{comment_url}"] textarea[name=comment]')
    assert list(Vote.objects.values_list("page", "object_id", "helpful")) == [
        ("cause", cause.pk, True)
    ]
    commented = client.post(comment_url, {"comment": "手順2の画面が違いました"})
    assert "ご意見ありがとうございます" in status_line(commented)
    assert Vote.objects.get().comment == "手順2の画面が違いました"


def test_one_vote_per_browser_and_page(client: Client, content: object) -> None:
    cause = Cause.objects.published().first()
    form_url, vote_url, _ = urls(cause, "cause")
    client.post(vote_url, {"helpful": "yes"})
    again = client.post(vote_url, {"helpful": "no"})
    assert again.status_code == 200 and ALREADY in status_line(again)
    again = client.post(vote_url, {"helpful": "no"}, **HTMX)
    assert ALREADY in status_line(again)
    # Coming back later, the widget says so instead of offering the buttons.
    back = client.get(form_url, **HTMX)
    assert ALREADY in status_line(back) and not soup_of(back).select("button")
    assert list(Vote.objects.values_list("helpful", flat=True)) == [True]
    # Another page is another vote; another browser is another vote.
    client.post(urls(FAQ.objects.published().first(), "faq")[1], {"helpful": "no"})
    Client().post(vote_url, {"helpful": "no"})
    assert Vote.objects.count() == 3


def test_the_cookie_holds_only_which_pages_and_stays_small(client: Client, content: object) -> None:
    cause = Cause.objects.published().first()
    _, vote_url, _ = urls(cause, "cause")
    response = client.post(vote_url, {"helpful": "yes"})
    cookie = response.cookies[votes.VOTED]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 3600 and cookie["path"] == "/feedback/vote/"
    made = Vote.objects.get()  # which page, and which vote: nothing about the visitor
    assert cookie.value.rsplit(":", 2)[0] == f"c{cause.pk}-{int_to_base36(made.pk)}"
    # A forged cookie counts for nothing: the browser can vote.
    forged = Client()
    forged.cookies[votes.VOTED] = f"c{cause.pk}-1"
    assert forged.post(vote_url, {"helpful": "no"}).status_code == 303
    # 250 pages voted on: the newest 200 are kept, and browsers accept the cookie (< 4 KB).
    many = {
        f"{kind}:{pk}": 10_000_000 + pk for pk in range(100) for kind in ("cause", "faq", "tip")
    }
    kept = HttpResponse()
    votes._remember(kept, dict(list(many.items())[:250]))
    header = kept.cookies[votes.VOTED].OutputString()
    assert len(header) < 4096
    remembered = votes.decode(kept.cookies[votes.VOTED].value.rsplit(":", 2)[0])
    assert len(remembered) == 200 and list(remembered) == list(many)[50:250]


def test_htmx_swaps_in_the_thanks_and_the_comment_box(client: Client, content: object) -> None:
    cause = Cause.objects.published().first()
    _, vote_url, comment_url = urls(cause, "cause")
    response = client.post(vote_url, {"helpful": "no"}, **HTMX)
    assert THANKS in status_line(response)
    box = soup_of(response).select_one(f'form[data-hx-post="{comment_url}"] textarea')
    assert box["maxlength"] == "1000" and box.has_attr("autofocus")  # focus stays in the widget
    label = soup_of(response).select_one('label[for="vote-comment"]').get_text()
    assert "（任意）" in label
    hint = soup_of(response).select_one(f"#{box['aria-describedby']}").get_text()
    assert "1,000文字まで" in hint
    done = client.post(comment_url, {"comment": "わかりやすかった"}, **HTMX)
    assert "ご意見ありがとうございます" in status_line(done)
    assert not soup_of(done).select("form")
    once = client.post(comment_url, {"comment": "もう一度"}, **HTMX)
    assert ALREADY in status_line(once)
    assert Vote.objects.get().comment == "わかりやすかった"


def test_a_comment_is_stripped_of_personal_data_and_shown_as_text(
    client: Client, content: object
) -> None:
    cause = Cause.objects.published().first()
    _, vote_url, comment_url = urls(cause, "cause")
    client.post(vote_url, {"helpful": "no"})
    typed = (
        "<b>手順</b>の画面が<i>違う</i> <b>x</b><script> taro@example.com 090-1234-5678 に送って"
    )
    client.post(comment_url, {"comment": typed}, **HTMX)
    stored = Vote.objects.get().comment
    assert "taro@example.com" not in stored and "090-1234-5678" not in stored
    assert "[メールアドレス]" in stored and "[電話番号]" in stored
    listing = staff_client().get(reverse("admin:feedback_vote_changelist"))
    html = listing.content.decode()
    assert "&lt;b&gt;手順&lt;/b&gt;の画面が&lt;i&gt;違う&lt;/i&gt;" in html  # text, not markup
    assert "<b>手順" not in html and "<b>x</b>" not in html and "<script> " not in html
    # The page voted on, by its title, links to the public page.
    link = soup_of(listing).select_one(f'td.field-page_link a[href="{cause.get_absolute_url()}"]')
    assert link is not None and link.get_text() == cause.title


def test_a_comment_needs_this_browsers_vote_and_at_most_1000_characters(
    client: Client, content: object
) -> None:
    cause = Cause.objects.published().first()
    _, vote_url, comment_url = urls(cause, "cause")
    refused = client.post(comment_url, {"comment": "勝手なコメント"})
    assert refused.status_code == 400 and "先に「はい」か「いいえ」" in status_line(refused)
    client.post(vote_url, {"helpful": "yes"})
    other = Client()  # another browser cannot comment on this vote
    assert other.post(comment_url, {"comment": "横から"}).status_code == 400
    long = client.post(comment_url, {"comment": "あ" * 1001})
    assert long.status_code == 400 and "1,000文字以内" in status_line(long)
    assert soup_of(long).select_one("textarea[aria-invalid=true]").get_text() == "あ" * 1001
    # With htmx the reason shows in the widget (htmx swaps no 4xx).
    long = client.post(comment_url, {"comment": "あ" * 1001}, **HTMX)
    assert long.status_code == 200 and "1,000文字以内" in status_line(long)
    assert Vote.objects.get().comment == ""


def test_staff_mark_comments_handled_and_cannot_edit_or_add(
    client: Client, content: object
) -> None:
    cause = Cause.objects.published().first()
    _, vote_url, comment_url = urls(cause, "cause")
    client.post(vote_url, {"helpful": "no"})
    client.post(comment_url, {"comment": "手順2の画面が違いました"})
    staff = staff_client()
    listing = reverse("admin:feedback_vote_changelist")
    page = soup_of(staff.get(listing))
    assert page.select_one('select[name=action] option[value="mark_handled"]').get_text() == (
        "対応済みにする"
    )
    made = Vote.objects.get()
    done = staff.post(
        listing, {"action": "mark_handled", "_selected_action": [made.pk]}, follow=True
    )
    assert "1件を対応済みにしました" in text(done)
    assert Vote.objects.get().handled
    change = soup_of(staff.get(reverse("admin:feedback_vote_change", args=[made.pk])))
    assert not change.select("textarea[name=comment]")  # read-only
    assert "手順2の画面が違いました" in change.get_text()
    assert staff.get(reverse("admin:feedback_vote_add")).status_code == 403
    waiting = soup_of(staff.get(listing + "?comment=waiting"))
    assert "手順2の画面が違いました" not in waiting.get_text()


def test_bad_input_gets_japanese_answers_and_stores_nothing(
    client: Client, content: object
) -> None:
    cause = Cause.objects.published().first()
    _, vote_url, _ = urls(cause, "cause")
    maybe = client.post(vote_url, {"helpful": "maybe"})
    assert maybe.status_code == 400 and "「はい」か「いいえ」を選んでください" in status_line(maybe)
    for response in (
        client.get(reverse("feedback:vote_form", args=["nope", cause.pk])),
        client.post(reverse("feedback:vote", args=["nope", cause.pk]), {"helpful": "yes"}),
        client.post(reverse("feedback:vote", args=["cause", 999999]), {"helpful": "yes"}),
    ):
        assert response.status_code == 404 and "ページが見つかりません" in text(response)
    Cause.objects.filter(pk=cause.pk).update(status="draft")
    hidden = client.post(vote_url, {"helpful": "yes"})
    assert hidden.status_code == 404 and "ページが見つかりません" in text(hidden)
    Cause.objects.filter(pk=cause.pk).update(status="published")
    assert client.get(vote_url).status_code == 405
    crawler = client.post(vote_url, {"helpful": "yes"}, HTTP_USER_AGENT="Googlebot/2.1")
    assert crawler.status_code == 303 and votes.VOTED not in crawler.cookies
    prefetch = client.post(vote_url, {"helpful": "yes"}, HTTP_SEC_PURPOSE="prefetch")
    assert prefetch.status_code == 303
    assert not Vote.objects.exists()


def test_a_get_writes_nothing(client: Client, content: object) -> None:
    cause = Cause.objects.published().first()
    form_url, vote_url, comment_url = urls(cause, "cause")
    before = row_counts()
    for url in (cause.get_absolute_url(), form_url, f"{form_url}?thanks=1", vote_url, comment_url):
        for headers in ({}, HTMX):
            response = client.get(url, **headers)
            assert response.status_code in {200, 405}, url
            assert votes.VOTED not in response.cookies, url
    assert row_counts() == before


def test_votes_need_the_csrf_token(content: object) -> None:
    browser = Client(enforce_csrf_checks=True)
    cause = Cause.objects.published().first()
    form_url, vote_url, comment_url = urls(cause, "cause")
    refused = browser.post(vote_url, {"helpful": "yes"})
    assert refused.status_code == 403 and "送信を受け付けられませんでした" in text(refused)
    token = soup_of(browser.get(form_url)).select_one("input[name=csrfmiddlewaretoken]")["value"]
    sent = browser.post(vote_url, {"helpful": "yes", "csrfmiddlewaretoken": token})
    assert sent.status_code == 303 and Vote.objects.count() == 1
    assert browser.post(comment_url, {"comment": "トークンなし"}).status_code == 403
    assert Vote.objects.get().comment == ""


@pytest.mark.usefixtures("one_window")
def test_a_burst_of_votes_meets_a_japanese_429(content: object) -> None:
    causes = list(Cause.objects.published()[:11])
    assert len(causes) == 11
    statuses = [Client().post(urls(c, "cause")[1], {"helpful": "yes"}).status_code for c in causes]
    assert statuses == [303] * 10 + [429]
    response = Client().post(urls(causes[0], "cause")[1], {"helpful": "yes"})
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "少し時間をおいてください" in text(response)
    # Inside the widget (htmx), the reason shows where the buttons are.
    widget = Client().post(urls(causes[1], "cause")[1], {"helpful": "yes"}, **HTMX)
    assert "1分ほど待ってから" in status_line(widget)
    assert soup_of(widget).select("button[name=helpful]")
    assert Vote.objects.count() == 10
