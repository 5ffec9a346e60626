"""The picture of the flow: every weight drawn, the same said in a table, staff only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from diagnosis.models import OptionCause

pytestmark = pytest.mark.django_db


def test_every_weight_is_drawn_and_listed(content: object) -> None:
    staff = Client()
    staff.force_login(User.objects.create_superuser("staff", "s@example.invalid", "x"))
    response = staff.get(reverse("admin:flow_map"))
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    svg = page.select_one('svg[role="img"]')
    raw = response.content.decode()
    start = raw.index('<svg role="img"')
    ET.fromstring(raw[start : raw.index("</svg>", start) + 6])  # well-formed SVG
    assert svg.title.get_text() and svg["role"] == "img"
    published = OptionCause.objects.filter(
        option__question__status="published", cause__status="published"
    )
    assert len(svg.select("line")) == published.count()
    rows = {tr.th.get_text(strip=True): tr.td.get_text(" ") for tr in page.select("tbody tr")}
    closed = next(text for cause, text in rows.items() if "閉鎖" in cause)
    assert "アカウントを閉鎖した" in closed and "+9" in closed
    assert reverse("admin:flow_map") in staff.get(reverse("admin:index")).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    assert client.get(reverse("admin:flow_map")).status_code == 302
