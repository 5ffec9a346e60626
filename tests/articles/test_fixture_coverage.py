"""The shipped content covers what CONTENT.md asks for."""

from __future__ import annotations

import pytest

from articles.models import FAQ, Cause, PreventionTip, Service, Status

pytestmark = pytest.mark.django_db


def test_every_cause_c1_to_c10_has_at_least_two_remedy_steps(content: object) -> None:
    for n in range(1, 11):
        cause = Cause.objects.get(code=f"C{n}")
        assert cause.status == Status.PUBLISHED
        assert cause.remedies.count() >= 2, cause
        assert cause.services.exists(), cause
        assert all(r.body_html for r in cause.remedies.all())


def test_each_service_has_a_support_channel(content: object) -> None:
    assert set(Service.objects.values_list("slug", flat=True)) == {
        "shopping",
        "prime-video",
        "seller-central",
    }
    for service in Service.objects.all():
        assert service.support_channels.published().exists(), service


def test_enough_faqs_and_tips(content: object) -> None:
    assert FAQ.objects.published().count() >= 8
    assert PreventionTip.objects.published().count() >= 6
    assert FAQ.objects.published().filter(featured=True).exists()


def test_only_causes_that_need_action_now_are_urgent_and_they_warn(content: object) -> None:
    urgent = Cause.objects.filter(urgent=True)
    # A takeover, a suspension, a held account, a code nobody asked for.
    assert set(urgent.values_list("slug", flat=True)) == {
        "account-hijacked",
        "seller-account-suspended",
        "account-on-hold",
        "unrequested-code",
    }
    assert all(c.warning for c in urgent)
    # Each is a checklist of actions, never a fix to try.
    for cause in urgent:
        assert all(r.is_action for r in cause.remedies.all()), cause


def test_seller_only_causes_concern_only_seller_central(content: object) -> None:
    for code in ("C8", "C10"):
        assert list(Cause.objects.get(code=code).services.values_list("slug", flat=True)) == [
            "seller-central"
        ]


def test_the_content_is_truthful_about_seller_central_two_step_verification(
    content: object,
) -> None:
    seller = FAQ.objects.get(slug="seller-central-turn-off-2sv").answer
    assert seller.startswith("**できません。**") and "必須" in seller
    assert "バックアップ方法" in seller  # the answer is to change or add a method instead
    shopper = FAQ.objects.get(slug="shopping-turn-off-2sv").answer
    assert "オフにできます" in shopper and "おそれ" in shopper  # possible, with the risk explained


def test_dated_advice_is_brought_up_to_date(content: object) -> None:
    browser = Cause.objects.get(code="C6")
    text = browser.body + " ".join(browser.remedies.values_list("body", flat=True))
    for browser_name in ("Chrome", "Edge", "Firefox", "Safari"):
        assert browser_name in text
    for model in (Cause, FAQ, PreventionTip):
        for obj in model.objects.all():
            fields = " ".join(str(getattr(obj, f, "")) for f in ("body", "answer", "summary"))
            assert "Internet Explorer" not in fields or "サポート" in fields, obj
