"""What the service worker is given: itself at the site's root, the list of pages to keep, and
the page shown for anything it does not have. Offline behaviour itself is tried in a real
browser (tests/browser/test_offline.py)."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from articles import version
from articles.models import FAQ, Cause, PreventionTip, Service
from tests.helpcenter.test_headers import close_file

pytestmark = pytest.mark.django_db


def test_the_worker_is_served_at_the_root_with_the_sites_settings(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    config = json.loads(re.search(r"const CONFIG=(\{.*?\});", body).group(1))
    assert config["manifest"] == "/offline/manifest.json" and config["offline"] == "/offline/"
    assert config["beacon"] == "/beacon" and config["admin"].startswith("/")
    assert "オフライン" in config["notes"]["notSent"]
    assert (
        config["flowScript"].startswith("/static/js/flow")
        and config["pack"] == "/diagnose/pack.json"
    )
    assert "// " not in body  # minified, as the static files are
    assert client.get("/sw.js", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_the_manifest_lists_every_public_page_and_each_opens(
    client: Client, content: object
) -> None:
    manifest = client.get("/offline/manifest.json").json()
    pages = set(manifest["pages"])
    for cause in Cause.objects.published():
        assert cause.get_absolute_url() in pages
    for faq in FAQ.objects.published():
        assert faq.get_absolute_url() in pages
    for tip in PreventionTip.objects.published():
        assert tip.get_absolute_url() in pages
    for service in Service.objects.all():
        assert service.get_contact_url() in pages
    assert {"/", "/causes/", "/faq/", "/tips/", "/contact/", "/diagnose/"} <= pages
    for path in manifest["pages"] + manifest["assets"]:
        response = client.get(path)
        assert response.status_code == 200, path
        if response.streaming:  # a static file
            close_file(response)
    assert any(a.endswith(".css") for a in manifest["assets"])


def test_the_manifest_version_moves_with_the_content(client: Client, content: object) -> None:
    before = client.get("/offline/manifest.json").json()["version"]
    version.bump()
    after = client.get("/offline/manifest.json").json()["version"]
    assert before != after


def test_the_offline_page_says_what_still_works(client: Client, content: object) -> None:
    response = client.get("/offline/")
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert "オフライン" in page.h1.get_text()
    links = {a["href"] for a in page.select("main a")}
    assert {"/causes/", "/faq/", "/tips/", "/contact/"} <= links
