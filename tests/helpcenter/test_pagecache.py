"""Public pages come from the cache, and any change of content makes the next page fresh."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from articles.models import FAQ, Cause, Draft
from tests.diagnosis.test_admin_guard import form_data

pytestmark = pytest.mark.django_db

CAUSE = "captcha-fails"


def text(response: object) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ")


@pytest.fixture
def staff() -> Client:
    user = User.objects.create_superuser("kanri", "kanri@example.invalid", "x")
    client = Client()
    client.force_login(user)
    return client


def edit_first_remedy(staff: Client, cause: Cause, title: str, extra: dict | None = None) -> None:
    url = reverse("admin:articles_cause_change", args=[cause.pk])
    data = form_data(staff.get(url).content, "cause_form")
    key = next(k for k in data if k.startswith("remedies-") and k.endswith("-title"))
    data[key] = [title]
    assert staff.post(url, {**data, **(extra or {})}).status_code == 302


def test_the_second_visit_is_served_from_the_cache(client: Client, content: object) -> None:
    first = client.get("/causes/captcha-fails/")
    assert first["X-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/causes/captcha-fails/")
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert len(queries) == 1  # the content version
    assert not second.cookies  # a content page sets no cookie: a CDN may keep it
    assert "public" in second["Cache-Control"] and "max-age=0" in second["Cache-Control"]


def test_an_admin_edit_shows_at_once(client: Client, staff: Client, content: object) -> None:
    cause = Cause.objects.get(slug=CAUSE)
    client.get(cause.get_absolute_url())
    assert client.get(cause.get_absolute_url())["X-Cache"] == "hit"
    edit_first_remedy(staff, cause, "画像の文字を別の画像で試す（今日の変更）")
    page = client.get(cause.get_absolute_url())
    assert page["X-Cache"] == "miss"
    assert "（今日の変更）" in text(page)


def test_a_published_draft_shows_at_once_and_not_before(
    client: Client, staff: Client, content: object
) -> None:
    cause = Cause.objects.get(slug=CAUSE)
    client.get(cause.get_absolute_url())
    edit_first_remedy(staff, cause, "下書きの手順（公開前）", {"_save_draft": "1"})
    assert Draft.objects.count() == 1
    assert "（公開前）" not in text(client.get(cause.get_absolute_url()))
    url = reverse("admin:articles_cause_change", args=[cause.pk])
    data = form_data(staff.get(url).content, "cause_form")
    assert staff.post(url, {**data, "_publish_draft": "1"}).status_code == 302
    assert "（公開前）" in text(client.get(cause.get_absolute_url()))


def test_a_restore_shows_at_once(client: Client, staff: Client, content: object) -> None:
    cause = Cause.objects.get(slug=CAUSE)
    old_title = cause.remedies.first().title
    edit_first_remedy(staff, cause, old_title)  # the history's first entry: as it was
    edit_first_remedy(staff, cause, "書き換えた手順（あとで戻す）")
    assert "（あとで戻す）" in text(client.get(cause.get_absolute_url()))
    assert client.get(cause.get_absolute_url())["X-Cache"] == "hit"
    earlier = list(Version.objects.get_for_object(cause))[1]
    revert = reverse("admin:articles_cause_revision", args=[cause.pk, earlier.pk])
    assert staff.post(revert, form_data(staff.get(revert).content, "cause_form")).status_code == 302
    page = text(client.get(cause.get_absolute_url()))
    assert "（あとで戻す）" not in page and old_title in page


def test_a_delete_shows_at_once(client: Client, staff: Client, content: object) -> None:
    faq = FAQ.objects.published().first()
    assert client.get(faq.get_absolute_url()).status_code == 200
    assert faq.question in text(client.get("/faq/"))
    assert client.get("/faq/")["X-Cache"] == "hit"
    delete = reverse("admin:articles_faq_delete", args=[faq.pk])
    assert staff.post(delete, {"post": "yes"}).status_code == 302
    assert client.get(faq.get_absolute_url()).status_code in (404, 301)
    assert faq.question not in text(client.get("/faq/"))


def test_loading_content_shows_at_once(client: Client, empty: object) -> None:
    before = client.get("/causes/")
    assert client.get("/causes/")["X-Cache"] == "hit"
    call_command("load_content", verbosity=0)
    after = client.get("/causes/")
    assert after["X-Cache"] == "miss"
    title = Cause.objects.published().first().title
    assert title in text(after) and title not in text(before)


def test_the_htmx_partial_and_the_whole_page_never_swap(client: Client, content: object) -> None:
    url = "/search/?q=パスワード"
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/search/"}
    for _ in range(2):  # the second round comes from the cache
        whole = client.get(url)
        part = client.get(url, **htmx)
        assert b"<html" in whole.content and b"<html" not in part.content
        restore = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
        assert b"<html" in restore.content
    assert whole["X-Cache"] == part["X-Cache"] == "hit"
    assert "HX-Request" in whole["Vary"] and "HX-Request" in part["Vary"]
    # Where the search was typed decides whether the address is pushed or replaced.
    elsewhere = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/")
    assert "HX-Push-Url" in elsewhere and "HX-Replace-Url" in part


def test_a_matching_etag_or_date_gets_304_until_the_content_changes(
    client: Client, staff: Client, content: object
) -> None:
    url = "/causes/captcha-fails/"
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and not again.content
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    edit_first_remedy(staff, Cause.objects.get(slug=CAUSE), "新しい手順（304のあと）")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "（304のあと）" in text(changed)
    assert changed["ETag"] != etag


def test_search_is_the_same_for_everyone_and_its_beacon_still_posts(content: object) -> None:
    """The search page carries no CSRF token, so one copy serves everyone; the beacon's script
    fetches the visitor's token when it reports."""
    url = "/search/?q=認証コード"
    one, two = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first, second = one.get(url), two.get(url)
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert first.content == second.content and not second.cookies
    assert "public" in second["Cache-Control"] and "Cookie" not in second.get("Vary", "")
    for visitor in (one, two):
        fetched = visitor.get(reverse("feedback:beacon_token"))
        assert "no-store" in fetched["Cache-Control"] and fetched["X-Cache"] == "bypass"
        sent = visitor.post(
            reverse("feedback:beacon"),
            {
                "event": "search",
                "query": "認証コード",
                "csrfmiddlewaretoken": fetched.json()["token"],
            },
        )
        assert sent.status_code == 204, sent.content
    assert (
        one.post(reverse("feedback:beacon"), {"event": "search", "query": "x"}).status_code == 403
    )


def test_a_page_that_holds_a_token_is_never_kept(client: Client, content: object) -> None:
    """The flow's pages carry the visitor's CSRF token for their forms. Were one marked public
    by mistake, it would still be served privately and never kept."""
    from diagnosis import views
    from helpcenter import pagecache

    views.diagnose.page_cache = True
    pagecache._cacheable_path.cache_clear()
    try:
        url = "/diagnose/?service=shopping&f="
        first, second = client.get(url), client.get(url)
    finally:
        del views.diagnose.page_cache
        pagecache._cacheable_path.cache_clear()
    assert first["X-Cache"] == second["X-Cache"] == "bypass"
    assert b"X-CSRFToken" in second.content and "private" in second["Cache-Control"]


def test_staff_are_never_served_nor_stored(client: Client, staff: Client, content: object) -> None:
    assert staff.get("/causes/")["X-Cache"] == "bypass"
    assert client.get("/causes/")["X-Cache"] == "miss"
    assert staff.get("/causes/")["X-Cache"] == "bypass"


def test_pages_that_differ_per_visit_are_not_kept(client: Client, content: object) -> None:
    """The flow's first step carries a new flow id each time; a vote form the visitor's cookie."""
    first, second = client.get("/diagnose/"), client.get("/diagnose/")
    assert first["X-Cache"] == second["X-Cache"] == "bypass"
    assert first.content != second.content


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says anything."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield int(sock.getsockname()[1])


def redis_caches(url: str) -> dict[str, dict[str, object]]:
    from helpcenter.settings.base import cache_from_url

    return cache_from_url(url)


@pytest.mark.parametrize("kind", ["refused", "silent"])
def test_without_redis_pages_are_served_uncached(
    client: Client, content: object, kind: str, request: pytest.FixtureRequest
) -> None:
    port = closed_port() if kind == "refused" else request.getfixturevalue("silent_port")
    with override_settings(CACHES=redis_caches(f"redis://127.0.0.1:{port}/0")):
        started = time.monotonic()
        for url in ("/", "/causes/captcha-fails/", "/search/?q=パスワード", "/api/search?q=a"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["X-Cache"] != "hit", url
        answer = client.post(
            reverse("feedback:flow_answer"), {"action": "escalate", "f": "x", "service": "shopping"}
        )
        assert answer.status_code < 500  # rate limits are not counted, but nothing breaks
        assert time.monotonic() - started < 8
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["cache"] == "unreachable"


def test_with_redis_pages_are_shared_between_workers(client: Client, content: object) -> None:
    """Redis (CACHE_URL in production) holds the pages: what one worker kept, another serves."""
    with override_settings(CACHES=redis_caches("redis://127.0.0.1:6379/15")):
        from django.core.cache import caches

        caches["default"].clear()
        assert client.get("/tips/")["X-Cache"] == "miss"
        assert client.get("/tips/")["X-Cache"] == "hit"  # this process's copy
        from helpcenter import pagecache

        pagecache.forget_local()  # as if another process asked: from Redis
        caches["default"].close()
        assert client.get("/tips/")["X-Cache"] == "hit"
        assert client.get("/readyz").json()["checks"]["cache"] == "ok"
        caches["default"].clear()


def test_a_cached_page_is_sent_compressed_to_those_who_accept_it(
    client: Client, content: object
) -> None:
    import gzip

    plain = client.get("/causes/")
    packed = client.get("/causes/", HTTP_ACCEPT_ENCODING="br, gzip, deflate")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) * 2 < len(plain.content)
    assert packed["ETag"] != plain["ETag"]
    refused = client.get("/causes/", HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    assert not refused.has_header("Content-Encoding") and refused.content == plain.content
    again = client.get("/causes/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert again.status_code == 304
