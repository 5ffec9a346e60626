"""nginx (deploy/nginx.conf.template) answers what it refuses itself in Japanese, with the
security headers, and says "come back shortly" when the app does not answer.

Runs Debian's nginx, which `make test` installs; a missing nginx fails, never skips."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """nginx on a free port, in front of an app that is not running (a closed port)."""
    if not os.path.exists(NGINX):  # never skipped: `make test` installs it (prod-deps)
        pytest.fail("nginx is missing: `make test` installs it (apt-get install nginx)")
    tmp = tmp_path_factory.mktemp("nginx")
    # nginx's workers run as nobody: the static files must be readable by anyone, as in
    # a deployment (pytest's own temporary folders are not).
    static = Path(tempfile.mkdtemp(prefix="loginhelp-static-"))
    static.chmod(0o755)
    (static / "css").mkdir(mode=0o755)
    (static / "css" / "site.0123456789ab.css").write_text("body{}")
    (static / "staticfiles.json").write_text("{}")
    port = free_port()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "deploy" / "render.py"),
            f"--listen=127.0.0.1:{port}",
            f"--upstream=127.0.0.1:{free_port()}",
            f"--static-root={static}",
            f"--run-dir={tmp / 'run'}",
            "--access-log=off",
        ],
        check=True,
        capture_output=True,
    )
    log = (tmp / "nginx.log").open("wb")
    process = subprocess.Popen(
        [NGINX, "-p", f"{tmp / 'run'}/", "-c", "nginx.conf", "-e", "stderr"], stderr=log
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError as exc:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp / "nginx.log").read_text()) from exc
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        shutil.rmtree(static)


def send(port: int, raw: bytes) -> tuple[int, dict[str, list[str]], str]:
    """Bytes as a client sent them; the status, headers (every value) and body nginx answered
    (up to where it closed the connection: after a refusal it may reset it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return int(lines[0].split()[1]), headers, body.decode("utf-8", "replace")


def get(port: int, target: str, *extra: str) -> bytes:
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", *extra, "Connection: close", "", ""]
    return "\r\n".join(lines).encode()


def refused_in_japanese(answer: tuple[int, dict[str, list[str]], str], status: int) -> None:
    got, headers, body = answer
    assert got == status, (got, body[:200])
    page = BeautifulSoup(body, "html.parser")
    assert page.html["lang"] == "ja"
    assert any("\u3040" <= c <= "\u30ff" for c in page.h1.get_text()), page.h1
    for name in (
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
        "permissions-policy",
    ):
        assert len(headers.get(name, [])) == 1, (status, name, headers.get(name))
    assert "default-src 'none'" in headers["content-security-policy"][0]
    assert headers["content-type"][0].startswith("text/html")
    assert headers["server"] == ["nginx"]  # no version


def test_a_bad_request_line(proxy: int) -> None:
    refused_in_japanese(send(proxy, b"GARBAGE\r\n\r\n"), 400)


def test_an_address_too_long(proxy: int) -> None:
    refused_in_japanese(send(proxy, get(proxy, "/search/?q=" + "a" * 20_000)), 414)


def test_headers_too_large(proxy: int) -> None:
    refused_in_japanese(send(proxy, get(proxy, "/", "Cookie: " + "c" * 20_000)), 400)


def test_a_body_too_large(proxy: int) -> None:
    body = "x" * 200_000
    raw = (
        "POST /diagnose/answer HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    refused_in_japanese(send(proxy, raw), 413)


def test_the_app_not_answering_says_come_back_shortly(proxy: int) -> None:
    answer = send(proxy, get(proxy, "/causes/"))
    refused_in_japanese(answer, answer[0])
    assert answer[0] in (502, 503)
    assert answer[1]["retry-after"] == ["30"]
    status, headers, body = send(proxy, get(proxy, "/api/search?q=a"))
    assert status in (502, 503) and headers["retry-after"] == ["30"]
    assert headers["content-type"][0].startswith("application/json")
    assert "error" in json.loads(body)


def test_static_files_but_never_the_manifest(proxy: int) -> None:
    status, headers, body = send(proxy, get(proxy, "/static/css/site.0123456789ab.css"))
    assert status == 200 and body == "body{}"
    assert "immutable" in headers["cache-control"][0]
    refused_in_japanese(send(proxy, get(proxy, "/static/staticfiles.json")), 404)
