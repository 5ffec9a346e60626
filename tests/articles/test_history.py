"""Every staff change is a revision (who, when, what); restoring one is a new revision."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles.models import Cause
from tests.diagnosis.test_admin_guard import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor() -> User:
    return User.objects.create_superuser("hanako", "hanako@example.invalid", "x")


def test_an_edit_is_recorded_and_restoring_it_brings_the_old_text_back(
    client: Client, editor: User, content: object
) -> None:
    cause = Cause.objects.get(slug="captcha-fails")
    remedy = cause.remedies.first()
    old_title = remedy.title
    staff = Client()
    staff.force_login(editor)
    url = reverse("admin:articles_cause_change", args=[cause.pk])

    # The first save records the version as it was.
    staff.post(url, form_data(staff.get(url).content, "cause_form"))
    data = form_data(staff.get(url).content, "cause_form")
    index = next(k for k, v in data.items() if k.endswith("-title") and v == [old_title])
    data[index] = ["画像の文字を新しい画像に切り替える（編集後）"]
    assert staff.post(url, data).status_code == 302
    public = client.get(cause.get_absolute_url()).content.decode()
    assert "（編集後）" in public

    # The history lists who changed it and when.
    history = staff.get(reverse("admin:articles_cause_history", args=[cause.pk]))
    page = BeautifulSoup(history.content, "html.parser").get_text()
    assert "hanako" in page
    versions = list(Version.objects.get_for_object(cause))
    assert len(versions) >= 2 and versions[0].revision.user == editor

    # Restoring the earlier version: the old text is back on the public page, as a new revision.
    earlier = versions[1]
    revert = reverse("admin:articles_cause_revision", args=[cause.pk, earlier.pk])
    restored = staff.post(revert, form_data(staff.get(revert).content, "cause_form"))
    assert restored.status_code == 302
    public = client.get(cause.get_absolute_url()).content.decode()
    assert "（編集後）" not in public and old_title in public
    assert Version.objects.get_for_object(cause).count() == len(versions) + 1


def test_two_versions_compare_field_by_field(editor: User, content: object) -> None:
    cause = Cause.objects.get(slug="captcha-fails")
    staff = Client()
    staff.force_login(editor)
    url = reverse("admin:articles_cause_change", args=[cause.pk])
    staff.post(url, form_data(staff.get(url).content, "cause_form"))
    data = form_data(staff.get(url).content, "cause_form")
    data["summary"] = ["画像認証が通らないときの対処法です。"]
    first_body = next(k for k in data if k.startswith("remedies-") and k.endswith("-body"))
    data[first_body] = [data[first_body][0] + "\n追加した一行"]
    assert staff.post(url, data).status_code == 302

    history = staff.get(reverse("admin:articles_cause_history", args=[cause.pk])).content
    link = BeautifulSoup(history, "html.parser").find("a", string="ひとつ前の版と比較")
    page = BeautifulSoup(staff.get(link["href"]).content, "html.parser")
    changed = {h.get_text() for h in page.select(".module h2")}
    assert "要約" in changed and any(c.startswith("対処法「") for c in changed)
    added = " ".join(i.get_text() for i in page.select("ins"))
    removed = " ".join(d.get_text() for d in page.select("del"))
    assert "追加した一行" in added and "画像認証が通らないときの対処法です。" in added
    assert cause.summary in removed
