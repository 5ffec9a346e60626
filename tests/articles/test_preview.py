"""The admin's live Markdown preview shows what readers will see, and only to staff who may edit.

The endpoint renders as a save renders (`markup.render`, nh3 included); the change forms mark
every Markdown textarea, the remedy rows' included, for `static/js/admin-preview.js`.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from articles import markup
from articles.models import FAQ, Cause, PreventionTip, SupportChannel
from articles.preview import MAX_CHARS
from helpcenter.roles import EDITORS
from tests.articles import factories
from tests.articles.test_markup import XSS_VECTORS

pytestmark = pytest.mark.django_db

URL = "admin:articles_cause_preview"
SAMPLE = "## 手順\n\n1. **設定**を開く\n2. [ヘルプ](https://example.com/help)を見る\n\n| a | b |\n|---|---|\n| 1 | 2 |"


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("staff", "staff@example.invalid", "x"))
    return client


def post(client: Client, text: str, name: str = URL) -> tuple[int, str, str]:
    response = client.post(reverse(name), {"text": text})
    return response.status_code, response.headers["Content-Type"], response.content.decode()


def test_the_preview_is_the_public_rendering(staff: Client) -> None:
    status, content_type, html = post(staff, SAMPLE)
    assert status == 200
    assert content_type == "text/html; charset=utf-8"
    assert html == markup.render(SAMPLE)
    assert "<h4>手順</h4>" in html and "<table>" in html
    assert 'rel="noopener noreferrer"' in html


def test_the_preview_is_what_a_save_stores(staff: Client) -> None:
    text = "\r\n  前の段落。\r\n\r\n- 手順\r\n  "
    _, _, html = post(staff, text)
    cause = factories.cause(remedies=1, body=text)
    remedy = cause.remedies.get()
    remedy.body = text
    remedy.save()
    assert html == cause.body_html == remedy.body_html


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_script_and_event_handlers_never_reach_the_preview(staff: Client, vector: str) -> None:
    status, _, html = post(staff, f"前の文。\n\n{vector}\n\n後の文。")
    assert status == 200
    lowered = html.lower()
    for bad in ("<script", "onerror", "onload", "onclick", "javascript:", "style=", "<iframe"):
        assert bad not in lowered, (vector, html)
    assert "前の文" in html and "後の文" in html


@pytest.mark.parametrize(
    "model", [Cause, FAQ, PreventionTip, SupportChannel], ids=lambda m: m.__name__
)
def test_every_content_admin_has_a_preview(staff: Client, model: type) -> None:
    name = f"admin:articles_{model._meta.model_name}_preview"
    assert post(staff, "**太字**", name)[2] == "<p><strong>太字</strong></p>"


def test_an_empty_text_previews_as_nothing(staff: Client) -> None:
    assert staff.post(reverse(URL)).content == b""


def test_a_text_too_long_is_refused_in_japanese(staff: Client) -> None:
    assert post(staff, "あ" * MAX_CHARS)[0] == 200
    status, content_type, html = post(staff, "あ" * (MAX_CHARS + 1))
    assert status == 400
    assert content_type == "text/html; charset=utf-8"
    assert "長すぎるためプレビューできません。50,000文字まで" in html
    assert "50,001文字" in html


def test_only_a_post_previews(staff: Client) -> None:
    assert staff.get(reverse(URL)).status_code == 405


def test_anonymous_visitors_are_sent_to_the_sign_in(client: Client) -> None:
    response = client.post(reverse(URL), {"text": "x"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("admin:login"))


def test_signed_in_people_who_are_not_staff_are_sent_to_the_sign_in(client: Client) -> None:
    client.force_login(User.objects.create_user("reader", "reader@example.invalid", "x"))
    response = client.post(reverse(URL), {"text": "x"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("admin:login"))


def test_staff_who_may_not_edit_the_content_are_refused(client: Client) -> None:
    client.force_login(User.objects.create_user("guest", "g@example.invalid", "x", is_staff=True))
    assert client.post(reverse(URL), {"text": "x"}).status_code == 403


def test_editors_may_preview(client: Client) -> None:
    editor = User.objects.create_user("editor", "e@example.invalid", "x", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    assert client.post(reverse(URL), {"text": "*x*"}).content == b"<p><em>x</em></p>"


def test_the_preview_needs_the_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.create_superuser("staff", "staff@example.invalid", "x"))
    assert client.post(reverse(URL), {"text": "x"}).status_code == 403

    # What the script sends: the change form's token, as the X-CSRFToken header.
    page = client.get(reverse("admin:articles_cause_add")).content
    token = BeautifulSoup(page, "html.parser").select_one("input[name=csrfmiddlewaretoken]")
    response = client.post(reverse(URL), {"text": "x"}, headers={"X-CSRFToken": token["value"]})
    assert response.status_code == 200
    assert response.content == b"<p>x</p>"


def test_htmx_sends_the_whole_form_and_names_the_typed_field(staff: Client) -> None:
    response = staff.post(
        reverse(URL),
        {"body": "**本文**", "remedies-0-body": "- 手順の *一行*", "summary": "要約"},
        headers={"HX-Request": "true", "HX-Trigger-Name": "remedies-0-body"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<em>一行</em>" in html and "<li>" in html  # the remedy's steps, not the body
    assert "本文" not in html


def test_a_causes_form_marks_its_markdown_for_the_preview(staff: Client) -> None:
    cause = factories.cause(remedies=2)
    page = staff.get(reverse("admin:articles_cause_change", args=[cause.pk])).content.decode()
    soup = BeautifulSoup(page, "html.parser")
    preview_url = reverse(URL)

    scripts = [s.get("src", "") for s in soup.select("script[src]")]
    assert any(src.endswith("/js/admin-preview.js") for src in scripts)
    styles = [s.get("href", "") for s in soup.select("link[rel=stylesheet]")]
    assert any(href.endswith("/css/admin-preview.css") for href in styles)

    assert any(src.endswith("/vendor/htmx-2.0.11.min.js") for src in scripts)
    marked = {t["name"]: t["data-markdown-preview"] for t in soup.select("textarea")}
    assert marked.pop("body") == preview_url
    body = soup.select_one("textarea[name=body]")
    assert body["data-hx-post"] == preview_url and "input changed" in body["data-hx-trigger"]
    # Each remedy row, and the hidden row "add another" copies.
    for name in ("remedies-0-body", "remedies-1-body", "remedies-__prefix__-body"):
        assert soup.select_one(f"textarea[name={name}]")["data-markdown-preview"] == preview_url
    # Plain text fields are not Markdown.
    assert not soup.select("textarea[name=summary][data-markdown-preview]")
    assert not soup.select("textarea[name=warning][data-markdown-preview]")
    # Nothing inline: the strict CSP allows neither inline script nor style attributes.
    assert not soup.select("[style]") and not soup.select("[onclick]")


@pytest.mark.parametrize(
    ("admin_name", "field"),
    [("faq", "answer"), ("preventiontip", "body"), ("supportchannel", "body")],
)
def test_other_content_forms_mark_their_markdown(
    staff: Client, admin_name: str, field: str
) -> None:
    page = staff.get(reverse(f"admin:articles_{admin_name}_add")).content
    textarea = BeautifulSoup(page, "html.parser").select_one(f"textarea[name={field}]")
    assert textarea["data-markdown-preview"] == reverse(f"admin:articles_{admin_name}_preview")
