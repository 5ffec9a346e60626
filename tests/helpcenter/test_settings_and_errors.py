"""Production settings refuse to start without secrets and pass `check --deploy`; errors are Japanese."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parent.parent.parent


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "helpcenter.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "env,missing",
    [
        ({"ALLOWED_HOSTS": "help.example.jp"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 60, "SITE_URL": "https://help.example.jp"}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "help.example.jp"}, "SITE_URL"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(env: dict[str, str], missing: str) -> None:
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_check_deploy_is_clean_under_production_settings() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "SECRET_KEY": "k" * 30 + "Z9#-random-" + "q" * 30,
            "ALLOWED_HOSTS": "help.example.jp",
            "SITE_URL": "https://help.example.jp",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.urls_boom")
def test_a_server_error_gets_the_japanese_500_page() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.html["lang"] == "ja"
    assert "エラーが発生しました" in soup.h1.get_text()


@pytest.mark.django_db
def test_a_bad_host_gets_the_japanese_400_page(client: Client) -> None:
    with override_settings(ALLOWED_HOSTS=["help.example.jp"]):
        response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "リクエストを処理できません" in response.content.decode()


@pytest.mark.django_db
def test_a_post_without_csrf_token_gets_the_japanese_403_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "送信を受け付けられませんでした" in response.content.decode()


def test_rate_limits_are_counted_where_every_worker_sees_them() -> None:
    from helpcenter.settings.base import cache_from_url

    local = cache_from_url(None)
    assert local["ratelimit"]["BACKEND"].endswith("FileBasedCache")  # shared by gunicorn workers
    shared = cache_from_url("redis://cache:6379/0")
    assert shared["ratelimit"]["BACKEND"].endswith("RedisCache")
    assert shared["ratelimit"]["KEY_PREFIX"] != shared["default"]["KEY_PREFIX"]


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "", "junk", "203.0.113.9, 10.0.0.1"])
def test_rate_limits_count_a_request_without_the_proxys_header(
    settings: object, content: object, header: str | None
) -> None:
    """Behind the proxy the address is its header; a request without it (straight to gunicorn)
    is counted by the connection's address instead of failing."""
    settings.RATELIMIT_CLIENT_HEADER = "HTTP_X_REAL_IP"
    extra = {} if header is None else {"HTTP_X_REAL_IP": header}
    client = Client(REMOTE_ADDR="")
    response = client.get("/api/search?q=a", **extra)
    assert response.status_code == 200


@pytest.mark.django_db
def test_api_refusals_are_json(client: Client) -> None:
    missing = client.get("/api/nothing-here")
    assert missing.status_code == 404 and "error" in missing.json()
    crowded = client.get("/api/search?" + "&".join(f"x{i}=1" for i in range(1100)))
    assert crowded.status_code == 400 and crowded.json()["error"]["message"]
    assert client.post("/sitemap.xml").status_code == 405


@pytest.mark.django_db
def test_an_error_answering_htmx_is_shown_in_place_of_the_content(
    client: Client, content: object
) -> None:
    """htmx swaps the error page's main content into `#main` (base.html swaps 4xx and 5xx)."""
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "flow-step"}
    response = client.get("/diagnose/", {"service": "x" * 300}, **htmx)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#main" and response["HX-Reselect"] == "#main > *"
    main = BeautifulSoup(response.content, "html.parser").select_one("#main .error-page h1")
    assert main is not None and "400" in main.get_text()
    missing = client.get("/causes/no-such-cause/", **htmx)
    assert missing.status_code == 404 and missing["HX-Retarget"] == "#main"
    # Not for the API, not for a page without htmx, not for a history restore.
    assert not client.get("/api/search", {"limit": "x"}, **htmx).has_header("HX-Retarget")
    assert not client.get("/diagnose/", {"service": "x" * 300}).has_header("HX-Retarget")
    restore = {**htmx, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}
    assert not client.get("/causes/no-such-cause/", **restore).has_header("HX-Retarget")
