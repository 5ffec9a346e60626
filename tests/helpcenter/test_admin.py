"""Staff can open every list, add and change page of the admin, across the four apps."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from articles.models import Cause
from diagnosis.models import OptionCause

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("staff", "staff@example.invalid", "x"))
    return client


def test_every_registered_model_lists_and_opens(staff: Client, content: object) -> None:
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert staff.get(reverse(f"{info}_changelist")).status_code == 200, info
        # Read-only records (flow events, the search log) refuse adding: 403, never an error.
        assert staff.get(reverse(f"{info}_add")).status_code in {200, 403}, info
        first = model._default_manager.first()
        if first is not None:
            url = reverse(f"{info}_change", args=[first.pk])
            assert staff.get(url).status_code == 200, info


def test_a_causes_page_shows_the_answers_that_point_to_it(staff: Client, content: object) -> None:
    cause = Cause.objects.get(code="C3")
    page = staff.get(reverse("admin:articles_cause_change", args=[cause.pk])).content.decode()
    weight = OptionCause.objects.filter(cause=cause).select_related("option").first()
    assert "この原因を指す回答" in page
    assert f'value="{weight.option.pk}"' in page
