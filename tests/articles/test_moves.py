"""What staff delete stays deleted, and what they rename keeps its old address."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from articles.models import FAQ, Cause, Service
from diagnosis.models import OptionCause

pytestmark = pytest.mark.django_db


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_content", *args, stdout=out)
    return out.getvalue()


def test_a_deleted_faq_stays_deleted_until_force(client: Client, content: object) -> None:
    faq = FAQ.objects.get(slug="captcha-unreadable")
    url = faq.get_absolute_url()
    faq.delete()  # as staff would, in the admin
    output = load()
    assert not FAQ.objects.filter(slug="captcha-unreadable").exists()
    assert "削除したため読み込みませんでした" in output and "captcha-unreadable" in output
    assert client.get(url).status_code == 404
    assert url not in client.get("/sitemap.xml").content.decode()

    output = load("--force")
    assert FAQ.objects.filter(slug="captcha-unreadable").exists()
    assert "--force で戻しました" in output
    assert load().count("削除したため") == 0  # back to normal


def test_a_deleted_cause_leaves_the_flow_loadable(content: object) -> None:
    cause = Cause.objects.get(slug="captcha-fails")
    cause.delete()  # its weights go with it
    load("--force")  # rewrites the flow, whose fixture still weighs the cause
    assert Cause.objects.filter(slug="captcha-fails").exists()  # --force brought it back
    Cause.objects.get(slug="captcha-fails").delete()
    output = load()
    assert "captcha-fails" in output
    assert not OptionCause.objects.filter(cause__slug="captcha-fails").exists()


def test_a_renamed_cause_redirects_and_is_kept_by_load_content(
    client: Client, content: object
) -> None:
    cause = Cause.objects.get(slug="captcha-fails")
    old_url = cause.get_absolute_url()
    cause.slug = "captcha-trouble"  # saved from the shell or the admin alike
    cause.save()
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == "/causes/captcha-trouble/"
    assert client.get(response["Location"]).status_code == 200

    output = load()  # no IntegrityError on the cause's code, no second copy
    assert "captcha-trouble" in output and "スラッグを" in output
    assert Cause.objects.filter(code=cause.code).count() == 1
    assert Cause.objects.get(code=cause.code).slug == "captcha-trouble"
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/causes/captcha-trouble/" in sitemap and old_url not in sitemap

    # Renamed back: the address works again and nothing redirects in a loop.
    cause.slug = "captcha-fails"
    cause.save()
    assert client.get(old_url).status_code == 200
    assert client.get("/causes/captcha-trouble/").status_code == 301


def test_a_renamed_service_redirects_its_pages(client: Client, content: object) -> None:
    service = Service.objects.get(slug="shopping")
    service.slug = "amazon-shopping"
    service.save()
    assert client.get("/services/shopping/")["Location"] == "/services/amazon-shopping/"
    assert client.get("/contact/shopping/")["Location"] == service.get_contact_url()


def test_an_unknown_slug_is_still_a_404(client: Client, content: object) -> None:
    assert client.get("/causes/no-such-cause/").status_code == 404
