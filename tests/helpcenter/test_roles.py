"""Editors write drafts; publishers publish, unpublish and restore. Set up by code."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles.models import FAQ, Status
from helpcenter.roles import EDITORS, PUBLISHERS
from tests.diagnosis.test_admin_guard import form_data

pytestmark = pytest.mark.django_db


def member(name: str, group: str) -> Client:
    user = User.objects.create_user(name, password="a-long-passphrase-1", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


def test_the_groups_exist_after_migrate() -> None:
    editors = set(Group.objects.get(name=EDITORS).permissions.values_list("codename", flat=True))
    publishers = set(
        Group.objects.get(name=PUBLISHERS).permissions.values_list("codename", flat=True)
    )
    assert {"add_cause", "change_cause", "change_question"} <= editors
    assert not {c for c in editors if c.startswith(("publish_", "delete_cause"))}
    assert {"publish_cause", "publish_faq", "publish_question", "delete_faq"} <= publishers


def test_an_editor_writes_drafts_and_cannot_publish(content: object) -> None:
    editor = member("ed", EDITORS)
    add = reverse("admin:articles_faq_add")
    page = editor.get(add).content.decode()
    assert 'name="status"' not in page  # no way to choose "published"
    changelist = editor.get(reverse("admin:articles_faq_changelist")).content.decode()
    assert 'value="publish"' not in changelist

    faq = FAQ.objects.get(slug="forgot-password")
    url = reverse("admin:articles_faq_change", args=[faq.pk])
    data = form_data(editor.get(url).content, "faq_form")
    data["question"] = ["パスワードを忘れてしまいました（編集者の変更）"]
    assert editor.post(url, data).status_code == 302
    faq.refresh_from_db()
    assert faq.status == Status.PUBLISHED  # the editor could not change it
    version = Version.objects.get_for_object(faq).first()
    revert = reverse("admin:articles_faq_revision", args=[faq.pk, version.pk])
    assert editor.get(revert).status_code == 403  # restoring is for publishers


def test_a_publisher_publishes_in_one_go(client: Client, content: object) -> None:
    FAQ.objects.filter(slug__in=["forgot-password", "captcha-unreadable"]).update(
        status=Status.DRAFT
    )
    drafts = list(FAQ.objects.filter(status=Status.DRAFT).values_list("pk", flat=True))
    publisher = member("pub", PUBLISHERS)
    response = publisher.post(
        reverse("admin:articles_faq_changelist"),
        {"action": "publish", "_selected_action": [str(pk) for pk in drafts]},
    )
    assert response.status_code == 302
    assert not FAQ.objects.filter(pk__in=drafts, status=Status.DRAFT).exists()
    assert client.get(FAQ.objects.get(slug="forgot-password").get_absolute_url()).status_code == 200
    search = client.get("/api/search?q=" + "パスワードを忘れ").json()
    assert any("forgot-password" in r["url"] for r in search["results"])
