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


def test_a_weight_draft_shows_which_answers_would_lead_elsewhere_before_publishing(
    client: Client, content: object
) -> None:
    from articles.models import Cause, Draft
    from diagnosis.models import Option
    from tests.diagnosis.test_admin_guard import form_data

    staff = Client()
    staff.force_login(User.objects.create_superuser("staff", "s@example.invalid", "x"))
    option = Option.objects.get(slug="account-closed")
    captcha = Cause.objects.get(slug="captcha-fails")
    url = reverse("admin:diagnosis_option_change", args=[option.pk])
    data = form_data(staff.get(url).content)
    empty = next(
        i
        for i in range(99)
        if f"weights-{i}-cause" in data and not data.get(f"weights-{i}-id", [""])[0]
    )
    data[f"weights-{empty}-cause"] = [str(captcha.pk)]
    data[f"weights-{empty}-weight"] = ["40"]
    assert staff.post(url, {**data, "_save_draft": "1"}).status_code == 302
    assert not option.weights.filter(cause=captcha).exists()  # live flow unchanged
    draft = Draft.objects.get()

    listed = BeautifulSoup(staff.get(reverse("admin:flow_map")).content, "html.parser")
    link = listed.find("a", href=f"?draft={draft.pk}")
    assert link is not None
    response = staff.get(reverse("admin:flow_map") + link["href"])
    page = BeautifulSoup(response.content, "html.parser")
    moves = [
        [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in page.select(".draft-effect tbody tr")
    ]
    assert moves, page.select_one(".draft-effect").get_text()
    before, after, count, examples = moves[0]
    assert "閉鎖" in before and "画像認証" in after and int(count) > 0
    assert "アカウントを閉鎖した" in examples
    assert "なし → +40" in page.select_one(".draft-effect").get_text()
    # The picture is drawn with the draft: one more line than the live flow.
    live = BeautifulSoup(staff.get(reverse("admin:flow_map")).content, "html.parser")
    assert len(page.select("svg line")) == len(live.select("svg line")) + 1
    # Nothing of it reached readers or the live flow.
    assert not option.weights.filter(cause=captcha).exists()
    assert staff.get(reverse("admin:flow_map") + "?draft=999999").status_code == 404
