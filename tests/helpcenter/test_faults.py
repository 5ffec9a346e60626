"""When the database refuses or never answers, visitors get a Japanese 503 (JSON under /api/)
with Retry-After within seconds; /healthz still answers and /readyz says not ready."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent.parent
CONNECT_TIMEOUT = 2  # DB_CONNECT_TIMEOUT for the probe: libpq's smallest useful value


def probe(database_url: str, *paths: str) -> list[dict]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpcenter.settings.test",
        "DATABASE_URL": database_url,
        "DB_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        "CONN_MAX_AGE": "0",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.helpcenter.fault_probe", *paths],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """Accepts connections (the kernel completes them) and never answers: a hung server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield int(sock.getsockname()[1])


PAGES = ("/", "/causes/captcha-fails/", "/search/?q=パスワード", "/diagnose/?service=shopping")
API = ("/api/search?q=パスワード", "/api/diagnose?service=shopping")


def check_unavailable(answers: list[dict], within: float) -> None:
    for answer in answers:
        path, headers = answer["path"], answer["headers"]
        assert answer["status"] == 503, (path, answer["status"], answer["body"][:300])
        assert headers["Retry-After"] == "30", path
        assert answer["seconds"] <= within, (path, answer["seconds"])
        assert "Content-Security-Policy" in headers and headers["X-Frame-Options"] == "DENY"
        if path.startswith("/api/"):
            assert headers["Content-Type"] == "application/json"
            assert "一時的に" in json.loads(answer["body"])["error"]["message"]
        else:
            page = BeautifulSoup(answer["body"], "html.parser")
            assert page.html["lang"] == "ja"
            assert "一時的にご利用いただけません" in page.h1.get_text()


def test_a_refused_postgresql_gets_503_at_once() -> None:
    answers = probe(f"postgres://postgres@127.0.0.1:{closed_port()}/loginhelp", *PAGES, *API)
    check_unavailable(answers, within=1.0)


def test_a_postgresql_that_never_answers_gets_503_within_the_connect_timeout(
    silent_port: int,
) -> None:
    answers = probe(f"postgres://postgres@127.0.0.1:{silent_port}/loginhelp", "/", API[0])
    check_unavailable(answers, within=CONNECT_TIMEOUT + 1.5)


def test_an_unreadable_sqlite_database_gets_503(tmp_path: Path) -> None:
    answers = probe(f"sqlite:///{tmp_path}/missing/folder/db.sqlite3", *PAGES[:2], API[0])
    check_unavailable(answers, within=1.0)


def test_healthz_answers_and_readyz_says_not_ready(silent_port: int) -> None:
    url = f"postgres://postgres@127.0.0.1:{closed_port()}/loginhelp"
    health, ready = probe(url, "/healthz", "/readyz")
    assert health["status"] == 200 and health["body"] == "ok"
    assert ready["status"] == 503
    assert json.loads(ready["body"]) == {
        "ready": False,
        "checks": {
            "database": "unreachable",
            "cache": "local",
            "page_cache": "on",
            "release": json.loads(ready["body"])["checks"]["release"],
        },
    }
