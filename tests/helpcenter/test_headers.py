"""Under production settings every kind of response carries the security headers (the exact
CSP among them) and the right caching headers; each request is one JSON log line without
what the visitor typed."""

from __future__ import annotations

import importlib
import json
import logging
import sys
from collections.abc import Iterator

import pytest
from django.conf import LazySettings
from django.contrib.auth.models import User
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.utils.module_loading import import_string

pytestmark = pytest.mark.django_db

CSP = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def policy(header: str) -> dict[str, list[str]]:
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


# Settings that only make sense for a real deployment's machine, not for a test's.
KEEP_FROM_TESTS = {
    "DATABASES",
    "CACHES",
    "STORAGES",
    "STATIC_ROOT",
    "LOGGING",
    "PASSWORD_HASHERS",
    "WHITENOISE_USE_FINDERS",
    "WHITENOISE_AUTOREFRESH",
}


@pytest.fixture
def production(settings: LazySettings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """helpcenter.settings.production, read with a deployment's environment, applied."""
    monkeypatch.setenv("SECRET_KEY", "p" * 50)
    monkeypatch.setenv("ALLOWED_HOSTS", "help.example.jp")
    monkeypatch.setenv("SITE_URL", "https://help.example.jp")
    sys.modules.pop("helpcenter.settings.production", None)
    module = importlib.import_module("helpcenter.settings.production")
    for name in dir(module):
        if name.isupper() and name not in KEEP_FROM_TESTS:
            setattr(settings, name, getattr(module, name))
    assert settings.SECURE_SSL_REDIRECT and settings.SESSION_COOKIE_SECURE
    yield
    sys.modules.pop("helpcenter.settings.production", None)


def close_file(response: object) -> None:
    """Close a streamed file without the request_finished signal, which would close the test's
    database connection inside its transaction (as Django's own test client avoids)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def visitor() -> Client:
    """A browser reaching the site over HTTPS through the load balancer."""
    return Client(HTTP_HOST="help.example.jp", HTTP_X_FORWARDED_PROTO="https")


def security_headers(response: object, path: str) -> None:
    assert policy(response["Content-Security-Policy"]) == CSP, path
    features = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in features, (path, feature)
    assert response["X-Frame-Options"] == "DENY", path
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert response["Referrer-Policy"] == "same-origin", path
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    ), path
    assert len(response["X-Request-ID"]) >= 8, path


PUBLIC_PAGES = [
    "/",
    "/causes/",
    "/causes/captcha-fails/",
    "/services/prime-video/",
    "/faq/",
    "/faq/?service=seller-central",
    "/tips/",
    "/contact/",
    "/contact/shopping/",
    "/sitemap.xml",
    "/search/?q=パスワード",
    "/api/search?q=パスワード",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_content_pages_are_public_and_revalidated(
    production: None, content: object, path: str
) -> None:
    client = visitor()
    response = client.get(path)
    assert response.status_code == 200, path
    security_headers(response, path)
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert response["ETag"].startswith('"') and response["Last-Modified"].endswith("GMT")
    assert not response.cookies, path
    if path != "/sitemap.xml":
        assert response["Content-Language"] == "ja"
        assert "Accept-Language" in response["Vary"]
    assert client.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_cdn_may_keep_pages_for_a_short_while(
    production: None, content: object, settings: LazySettings
) -> None:
    settings.CDN_MAX_AGE = 30
    response = visitor().get("/tips/")
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate, s-maxage=30"


def test_pages_with_a_token_are_private(production: None, content: object) -> None:
    response = visitor().get("/diagnose/?service=shopping")
    security_headers(response, "flow")
    assert response["Cache-Control"] == "private, no-cache"
    assert {"Cookie", "HX-Request", "Accept-Language"} <= {
        v.strip() for v in response["Vary"].split(",")
    }
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] and cookie["samesite"] == "Lax"
    token = visitor().get("/beacon/token")
    assert "no-store" in token["Cache-Control"] and token.cookies["csrftoken"]["secure"]


@pytest.mark.parametrize(
    "path,status,kind",
    [
        ("/diagnose/?service=shopping", 200, "text/html"),
        (
            "/diagnose/?service=seller-central&a=code-not-arriving&a=changed-nothing",
            200,
            "text/html",
        ),
        ("/api/diagnose?service=shopping", 200, "application/json"),
        ("/api/search?limit=x", 400, "application/json"),
        ("/robots.txt", 200, "text/plain"),
        ("/healthz", 200, "text/plain"),
        ("/readyz", 200, "application/json"),
        ("/causes/no-such-cause/", 404, "text/html"),
        ("/diagnose/?a=" + "x" * 300, 400, "text/html"),
        ("/static/css/site.css", 200, "text/css"),
        ("/admin/login/", 200, "text/html"),
    ],
)
def test_every_other_kind_has_the_headers_and_is_not_public(
    production: None, content: object, path: str, status: int, kind: str
) -> None:
    response = visitor().get(path)
    close_file(response)  # a static file is streamed from disk
    assert response.status_code == status, path
    assert response["Content-Type"].startswith(kind), path
    security_headers(response, path)
    if not path.startswith("/static/"):
        assert "public" not in response.get("Cache-Control", ""), path
        assert response.has_header("Cache-Control"), path


def test_refusals_are_japanese_with_the_headers(production: None, content: object) -> None:
    client = visitor()
    not_allowed = client.post("/causes/", {"x": "1"})
    assert not_allowed.status_code == 405 and not_allowed["Allow"] == "GET, HEAD"
    assert "この方法では開けません" in not_allowed.content.decode()
    security_headers(not_allowed, "405")
    api = client.delete("/api/search")
    assert api.status_code == 405 and "DELETE" in api.json()["error"]["message"]
    plain_http = Client(HTTP_HOST="help.example.jp").get("/tips/")
    assert plain_http.status_code == 301
    assert plain_http["Location"] == "https://help.example.jp/tips/"
    assert Client(HTTP_HOST="help.example.jp").get("/healthz").status_code == 200


def test_staff_pages_are_never_stored(production: None, content: object) -> None:
    user = User.objects.create_superuser("kanri", "kanri@example.invalid", "x")
    staff = visitor()
    staff.force_login(user)
    response = staff.get("/admin/", follow=False)
    security_headers(response, "admin")
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_each_request_is_one_json_line_without_what_was_typed(
    content: object, caplog: pytest.LogCaptureFixture, settings: LazySettings
) -> None:
    formatter_config = dict(settings.LOGGING["formatters"]["json"])
    formatter = import_string(formatter_config.pop("()"))(**formatter_config)
    caplog.set_level(logging.INFO, logger="helpcenter.requests")
    client = Client()
    typed = "/search/?q=hanako@example.com+123456"
    response = client.get(typed, HTTP_X_REQUEST_ID="lb-request-abcdefgh")
    again = client.get(typed)
    client.get("/causes/taro@example.com/")
    lines = [json.loads(formatter.format(r)) for r in caplog.records]
    assert len(lines) == 3
    first, second, third = lines
    assert first["request_id"] == response["X-Request-ID"] == "lb-request-abcdefgh"
    assert second["request_id"] == again["X-Request-ID"] != first["request_id"]
    assert (first["method"], first["path"], first["status"]) == ("GET", "/search/", 200)
    assert (first["cache"], second["cache"]) == ("miss", "hit")
    assert isinstance(first["duration_ms"], float)
    assert third["status"] == 404 and "example.com" not in third["path"]
    everything = "\n".join(formatter.format(r) for r in caplog.records)
    assert "hanako" not in everything and "123456" not in everything and "taro" not in everything


def test_head_answers_without_a_body(content: object) -> None:
    client = Client()
    full = client.get("/tips/")
    for _ in range(2):  # from the view, then from the cache
        head = client.head("/tips/")
        assert head.status_code == 200 and head.content == b""
        assert int(head["Content-Length"]) == len(full.content)
