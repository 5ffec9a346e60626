"""Every kind of page is valid HTML, as the Nu HTML Checker (vnu.jar, npm `vnu-jar`) reads it.

The pages come from the live server with the shipped content, as a browser gets them; they are
written to a temporary folder and checked in one run of the checker (one JVM start, the slow
part). htmx partials are fragments, not documents, so they are left out.

Java (Debian's OpenJDK, `make java-deps`) and vnu.jar (`npm ci`) are installed by `make test`:
without either the test fails, it never skips.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from articles.models import FAQ, Cause, PreventionTip, Service

VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# A short run: the JVM's quick compiler only, and one garbage-collector thread (2 cores).
JAVA_ARGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss4m"]

FLOW_STEP = "/diagnose/?service=seller-central&a=code-not-arriving"
FLOW_RESULT = FLOW_STEP + "&a=changed-nothing&a=new-device-no"


@dataclass(frozen=True)
class PageKind:
    name: str
    path: str
    status: int = 200


def page_kinds() -> list[PageKind]:
    """One page of every kind (whole documents only), with real slugs from the database."""
    cause = Cause.objects.published().order_by("order", "pk").first()
    faq = FAQ.objects.published().order_by("order", "pk").first()
    tip = PreventionTip.objects.published().order_by("order", "pk").first()
    service = Service.objects.order_by("order", "pk").first()
    assert cause and faq and tip and service, "the shipped content is not loaded"
    search = reverse("search:search")
    return [
        PageKind("home", reverse("articles:home")),
        PageKind("cause-index", reverse("articles:causes")),
        PageKind("cause", cause.get_absolute_url()),
        PageKind("service", service.get_absolute_url()),
        PageKind("faq-index", reverse("articles:faqs")),
        PageKind("faq", faq.get_absolute_url()),
        PageKind("tip-index", reverse("articles:tips")),
        PageKind("tip", tip.get_absolute_url()),
        PageKind("contact-index", reverse("articles:contact")),
        PageKind("contact", service.get_contact_url()),
        PageKind(
            "search", search + "?q=%E3%83%91%E3%82%B9%E3%83%AF%E3%83%BC%E3%83%89"
        ),  # パスワード
        PageKind("search-no-result", search + "?q=xyzzyplugh"),
        PageKind("flow-start", reverse("diagnosis:diagnose")),
        PageKind("flow-question", FLOW_STEP),
        PageKind("flow-result", FLOW_RESULT),
        PageKind("not-found", "/no-such-page/", status=404),
        PageKind("offline", reverse("offline")),
    ]


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Status and body of a GET, error statuses included (the 404 page is a page too)."""
    request = urllib.request.Request(url, headers={"Accept-Language": "ja", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return int(error.code), bytes(error.read())


def checker() -> list[str]:
    """The command that runs vnu.jar, or a failure that says how to install what is missing."""
    java = shutil.which("java")
    missing = []
    if not java:
        missing.append("java (Debian's OpenJDK: `make java-deps`)")
    if not VNU_JAR.exists():
        missing.append(f"{VNU_JAR} (npm vnu-jar: `npm ci`)")
    assert not missing, (
        "The HTML check needs " + " and ".join(missing) + "; `make test` installs both."
    )
    return [str(java), *JAVA_ARGS, "-jar", str(VNU_JAR)]


def test_every_page_kind_is_valid_html(site: str, tmp_path: Path) -> None:
    command = checker()
    files: dict[str, PageKind] = {}
    for kind in page_kinds():
        status, body = fetch(site + kind.path)
        assert status == kind.status, f"{kind.name} {kind.path}: HTTP {status}"
        (tmp_path / f"{kind.name}.html").write_bytes(body)
        files[f"{kind.name}.html"] = kind

    # vnu writes its JSON report to stderr and exits 1 when it found errors.
    done = subprocess.run(
        [*command, "--format", "json", "--errors-only", *files],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        report = json.loads(done.stderr)
    except json.JSONDecodeError:
        raise AssertionError(
            f"vnu.jar gave no JSON report (exit {done.returncode}):\n{done.stderr[-4000:]}"
        ) from None
    errors = [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]
    lines = []
    for message in errors:
        url = message.get("url", "")
        page = files.get(PurePosixPath(urlsplit(url).path).name)
        where = f"{page.name} {page.path}" if page else url or "?"
        lines.append(
            f"- {where}, line {message.get('lastLine', '?')}: {message.get('message', '')}"
            f"\n    {message.get('extract', '').strip()!r}"
        )
    print(f"vnu.jar checked {len(files)} pages: {len(errors)} errors")
    print("\n".join(lines))
    assert not errors, f"the Nu HTML Checker found {len(errors)} errors:\n" + "\n".join(lines)
