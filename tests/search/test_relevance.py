"""Realistic queries, written as people type them, and what each must put in the top 3."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CASES = [
    ("認証コード 来ない", "/causes/two-step-verification-fails/"),
    ("確認コードが届かない", "/faq/otp-not-arriving/"),
    ("ワンタイムパスワード 届かない", "/faq/otp-not-arriving/"),
    ("OTP こない", "/faq/otp-not-arriving/"),
    ("ﾊﾟｽﾜｰﾄﾞ", "/causes/wrong-email-or-password/"),
    ("パスワード 忘れた", "/faq/forgot-password/"),
    ("ぱすわーどわすれた", "/faq/forgot-password/"),
    ("パスワードを忘れてしまった", "/faq/forgot-password/"),
    ("パスワードが違うと言われる", "/causes/wrong-email-or-password/"),
    ("2段階認証 解除", "/faq/seller-central-turn-off-2sv/"),
    ("二段階認証 オフ", "/faq/shopping-turn-off-2sv/"),
    ("2SV 無効", "/faq/seller-central-turn-off-2sv/"),
    ("勝手に注文", "/faq/unknown-order/"),
    ("身に覚えのない注文", "/causes/account-hijacked/"),
    ("乗っ取り", "/causes/account-hijacked/"),
    ("不正アクセス", "/causes/account-hijacked/"),
    ("ハッキングされた", "/causes/account-hijacked/"),
    ("アカウント停止", "/causes/seller-account-suspended/"),
    ("凍結された", "/causes/seller-account-suspended/"),
    ("改善計画書", "/causes/seller-account-suspended/"),
    ("セラセン ログインできない", None),
    ("セラーセントラル 権限", "/causes/seller-permissions-lost/"),
    ("権限がありません", "/causes/seller-permissions-lost/"),
    ("画像認証 通らない", "/causes/captcha-fails/"),
    ("キャプチャ", "/causes/captcha-fails/"),
    ("アプリ ログインできない", "/causes/app-trouble/"),
    ("アプリが落ちる", "/causes/app-trouble/"),
    ("キャッシュ 削除", "/causes/browser-trouble/"),
    ("クッキー", "/causes/browser-trouble/"),
    ("ブラウザ", "/causes/browser-trouble/"),
    ("ページが開かない", "/causes/network-trouble/"),
    ("wifi", "/causes/network-trouble/"),
    ("プライムビデオ ログイン", None),
    ("アマプラ テレビ", "/faq/prime-video-tv-sign-in/"),
    ("確認コード 毎回", "/faq/why-verification-code/"),
    ("機種変更 認証アプリ", "/faq/new-phone-or-number/"),
    ("バックアップコード", "/faq/what-is-backup-method/"),
    ("フィッシング", "/faq/phishing-asking-password/"),
    ("問い合わせ", None),
    ("サインイン", None),
]


@pytest.mark.parametrize("query,expected", CASES)
def test_the_right_article_is_in_the_top_three(
    client: Client, content: object, query: str, expected: str | None
) -> None:
    data = client.get("/api/search", {"q": query, "limit": "3"}).json()
    urls = [r["url"].removeprefix("http://127.0.0.1:8000") for r in data["results"]]
    assert urls, f"{query}: nothing found"
    if expected:
        assert expected in urls, f"{query}: {urls}"
