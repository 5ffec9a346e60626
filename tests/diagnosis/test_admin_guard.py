"""The admin refuses a change that would break the flow, with the rules of `manage.py check`,
and keeps the staff's input on the page."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from diagnosis.models import Option, OptionCause

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("staff", "staff@example.invalid", "x"))
    return client


def form_data(html: bytes, form_id: str = "option_form") -> dict[str, list[str]]:
    """What the browser would send from the admin's change form, untouched."""
    form = BeautifulSoup(html, "html.parser").select_one(f"form#{form_id}")
    data: dict[str, list[str]] = {}
    for field in form.select("input, select, textarea"):
        name = field.get("name")
        if not name or field.get("type") in {"submit", "button"}:
            continue
        if field.get("type") in {"checkbox", "radio"} and not field.has_attr("checked"):
            continue
        if field.name == "select":
            values = [o.get("value", "") for o in field.select("option[selected]")]
            if not values and not field.has_attr("multiple"):
                first = field.select_one("option")
                values = [first.get("value", "")] if first else []
        elif field.name == "textarea":
            values = [field.text]
        else:
            values = [field.get("value", "")]
        data.setdefault(name, []).extend(values)
    return data


def test_removing_the_only_way_to_a_cause_is_refused_and_nothing_changes(
    staff: Client, client: Client, content: object
) -> None:
    option = Option.objects.get(slug="account-closed")
    weights = list(option.weights.values_list("cause__slug", "weight"))
    assert ("account-closed", 9) in weights
    # Nothing else points to the closed-account cause.
    assert not OptionCause.objects.filter(cause__slug="account-closed", weight__gt=0).exclude(
        option=option
    )
    url = reverse("admin:diagnosis_option_change", args=[option.pk])
    data = form_data(staff.get(url).content)
    total = int(data["weights-TOTAL_FORMS"][0])
    for i in range(total):
        if data.get(f"weights-{i}-id"):
            data[f"weights-{i}-DELETE"] = ["on"]
    data["label"] = ["変更したラベル"]
    response = staff.post(url, data)

    assert response.status_code == 200  # the form again, not a redirect
    page = BeautifulSoup(response.content, "html.parser")
    errors = page.select_one(".errornote, .errorlist.nonfield").get_text()
    assert "保存していません" in page.get_text() and "たどり着けません" in page.get_text(), errors
    assert page.select_one("input[name=label]")["value"] == "変更したラベル"  # input kept
    option.refresh_from_db()
    assert option.label != "変更したラベル"
    assert list(option.weights.values_list("cause__slug", "weight")) == weights
    assert "正常に変更" not in response.content.decode()  # no "saved" message


def test_a_harmless_change_is_saved(staff: Client, content: object) -> None:
    option = Option.objects.get(slug="account-closed")
    url = reverse("admin:diagnosis_option_change", args=[option.pk])
    data = form_data(staff.get(url).content)
    data["hint"] = ["新しい補足"]
    response = staff.post(url, data)
    assert response.status_code == 302
    option.refresh_from_db()
    assert option.hint == "新しい補足"
