"""Realistic queries, written as people type them, and what each must put in the top 3."""

from __future__ import annotations

import pytest
from django.test import Client

from search import engine

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


def first(query: str) -> dict:
    results = engine.search(query, limit=5).results
    assert results, f"{query}: nothing found"
    return {"kind": results[0].kind, "title": results[0].title, "text": results[0].snippet}


@pytest.mark.parametrize("query", ["メアド", "めあど", "メアド 忘れた"])
def test_mail_address_slang_finds_articles_about_mail_addresses(
    content: object, query: str
) -> None:
    top = first(query)
    assert "メールアドレス" in top["title"] + top["text"]


@pytest.mark.parametrize("query", ["キャプスロック", "Caps Lock", "CapsLock", "capslock"])
def test_caps_lock_however_written_finds_the_article_that_mentions_it(
    content: object, query: str
) -> None:
    found = engine.search(query, limit=3).results
    assert found and "Caps Lock" in found[0].snippet, [r.title for r in found]


@pytest.mark.parametrize("query", ["パスキー", "パスキ", "ぱすきー", "passkey"])
def test_passkey_queries_find_an_article_about_passkeys_first(content: object, query: str) -> None:
    assert "パスキー" in first(query)["title"]


@pytest.mark.parametrize(
    "romaji,kana",
    [
        ("pasuwaado", "パスワード"),
        ("pasuwado", "パスワード"),
        ("roguin", "ログイン"),
        ("nidankai ninshou", "にだんかいにんしょう"),
        ("kakunin ko-do", "かくにんこーど"),
        ("sain in", "サインイン"),
    ],
)
def test_romaji_finds_what_the_kana_finds(content: object, romaji: str, kana: str) -> None:
    typed = [r.title for r in engine.search(romaji, limit=10).results]
    assert typed and typed == [r.title for r in engine.search(kana, limit=10).results]


def test_the_kana_readings_find_the_kanji_words(content: object) -> None:
    assert "2段階認証" in first("nidankai ninshou")["title"]
    assert any("確認コード" in r.title for r in engine.search("kakunin ko-do", limit=3).results)


@pytest.mark.parametrize("query", ["Chrome", "Gmail", "app", "wifi"])
def test_english_words_keep_working(content: object, query: str) -> None:
    assert engine.search(query, limit=3).results, query


@pytest.mark.parametrize("query", ["問い合わせ 電話番号", "チャットで相談"])
def test_contact_queries_find_a_contact_page_first(
    client: Client, content: object, query: str
) -> None:
    data = client.get("/api/search", {"q": query, "limit": "3"}).json()
    top = data["results"][0]
    assert top["kind"] == "contact" and top["kind_label"] == "お問い合わせ", data["results"]
    assert client.get(top["url"].removeprefix("http://127.0.0.1:8000")).status_code == 200
