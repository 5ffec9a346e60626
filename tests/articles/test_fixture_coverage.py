"""The shipped content covers what CONTENT.md asks for."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from articles.models import FAQ, Cause, PreventionTip, Remedy, Service, Status, SupportChannel

pytestmark = pytest.mark.django_db


def test_every_cause_has_at_least_two_remedy_steps(content: object) -> None:
    assert Cause.objects.count() >= 21
    for cause in Cause.objects.all():
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


SITUATIONS = {
    # What people locked out of Amazon meet today (CONTENT.md), and a word each page must use.
    "passkey-trouble": "パスキー",
    "prime-video-tv-sign-in": "テレビ",
    "account-on-hold": "保留",
    "account-closed": "閉鎖",
    "email-unreachable": "メールアドレス",
    "lost-phone": "なくした",
    "other-amazon-site": "amazon.com",
    "prime-video-pin-profile": "PIN",
    "prime-family-member": "家族会員",
    "too-many-attempts": "パスワードを忘れた場合",
    "unrequested-code": "確認コード",
}


def test_every_situation_has_a_published_cause_with_its_services(content: object) -> None:
    for slug, word in SITUATIONS.items():
        cause = Cause.objects.get(slug=slug)
        assert cause.status == Status.PUBLISHED and cause.services.exists(), slug
        text = (
            cause.title + cause.summary + cause.body + "".join(r.body for r in cause.remedies.all())
        )
        assert word.lower() in text.lower(), (slug, word)
        assert cause.checked_on is not None, slug
        assert not cause.source_url or cause.source_url.startswith("https://"), slug


def visible_texts() -> Iterator[tuple[str, str]]:
    """Every piece of Japanese text a reader sees, with where it is."""
    for cause in Cause.objects.all():
        for name in ("title", "summary", "warning", "body"):
            yield f"{cause.slug}.{name}", getattr(cause, name)
    for remedy in Remedy.objects.select_related("cause"):
        yield f"{remedy.cause.slug}: {remedy.title}", remedy.title + "\n" + remedy.body
    for faq in FAQ.objects.all():
        yield faq.slug, faq.question + "\n" + faq.answer
    for tip in PreventionTip.objects.all():
        yield tip.slug, tip.title + "\n" + tip.summary + "\n" + tip.body
    for channel in SupportChannel.objects.all():
        yield channel.slug, channel.title + "\n" + channel.summary + "\n" + channel.body


def test_the_wording_follows_the_house_rules(content: object) -> None:
    for where, text in visible_texts():
        # プライム会員 as on Amazon's screens; no 「どこにも入力しないで」 (people must type their
        # password somewhere: on Amazon's own screens).
        assert "Prime会員" not in text, where
        assert "どこにも入力" not in text, where
        # Japanese takes a full-width colon.
        assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff）」*]:(?!//)", text), where
        # 『』 inside 「」, never 「「」」.
        depth = 0
        for char in text:
            depth += {"「": 1, "」": -1}.get(char, 0)
            assert depth <= 1, where
            depth = max(depth, 0)
        # Amazon has no printed backup codes: the word appears only to say so.
        for sentence in re.split(r"[。\n]", text):
            if "バックアップコード" in sentence:
                assert re.search(r"ありません|されません|ない|ますか？", sentence), (
                    where,
                    sentence,
                )
        # No scheduled password changes (総務省/NISC): only at a sign of a leak.
        for sentence in re.split(r"[。\n]", text):
            if re.search(r"定期的に.{0,12}(変更|変え)", sentence):
                assert re.search(r"必要はない|必要はありません|不要", sentence), (where, sentence)
