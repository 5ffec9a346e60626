"""How query words meet the text: romaji read as kana, short words only where a word starts,
all the words first with the weak tail cut, and snippets cut between words."""

from __future__ import annotations

import re

import pytest

from search import engine
from search.backends import Candidate
from search.models import Synonym
from search.normalise import normalise
from search.query import parse_query
from search.romaji import readings
from search.snippets import snippet
from tests.articles import factories

# --- Romaji ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,kana",
    [
        ("pasuwaado", "ぱすわーど"),  # a doubled vowel is katakana's ー
        ("pasuwado", "ぱすわど"),
        ("roguin", "ろぐいん"),
        ("ninshou", "にんしょう"),  # ou also as typed: the reading of 認証
        ("ko-do", "こーど"),
        ("shi", "し"),  # Hepburn
        ("si", "し"),  # kunrei
        ("tyuumon", "ちゅうもん"),
        ("kitte", "きって"),  # a doubled consonant is っ
        ("matcha", "まっちゃ"),
        ("konnichiha", "こんにちは"),  # nn + vowel: ん + に
        ("onnna", "おんな"),  # nn alone: ん, as the input method reads it
        ("kon'ya", "こんや"),
        ("shinnyuu", "しんにゅう"),
    ],
)
def test_romaji_reads_as_kana(typed: str, kana: str) -> None:
    assert kana in readings(typed)


@pytest.mark.parametrize("word", ["chrome", "gmail", "app", "otp", "2sv", "passkey", "x"])
def test_english_words_are_not_romaji(word: str) -> None:
    assert readings(word) == ()


def test_romaji_typed_apart_is_one_word_when_it_reads_as_a_synonym() -> None:
    synonyms = {"さいんいん": ("さいんいん", "ろぐいん"), "ろぐいん": ("さいんいん", "ろぐいん")}
    [group] = parse_query("sain in", synonyms)
    assert group.word == "さいんいん" and ("ろぐいん",) in group.alternatives


@pytest.mark.django_db
def test_english_words_keep_their_own_synonyms(content: object) -> None:
    [group] = parse_query("Chrome")
    assert group.word == "chrome" and ("ぶらうざ",) in group.alternatives
    [wifi] = parse_query("wifi")  # reads as うぃふぃ too, but stays the English word first
    assert wifi.word == "wifi" and ("ういふい",) in wifi.alternatives


# --- Short words only where a word starts -----------------------------------------------------------


@pytest.mark.django_db
def test_a_short_synonym_is_not_found_inside_another_word(content: object) -> None:
    inside = factories.faq(
        question="一覧にアカウントが出てこないときは", answer="設定を見直します。"
    )
    apart = factories.faq(question="確認メールがこないときは", answer="迷惑メールを確かめます。")
    for query in ("こない", "届かない", "メールが届かない"):
        titles = [r.title for r in engine.search(query, limit=50).results]
        assert apart.question in titles, query
        assert inside.question not in titles, query


@pytest.mark.django_db
def test_a_short_word_inside_another_word_is_not_marked(content: object) -> None:
    factories.faq(
        question="画面の案内", answer="一覧に出てこない場合と、コードがこない場合があります。"
    )
    result = next(r for r in engine.search("こない", limit=50).results if r.title == "画面の案内")
    assert "出て<mark>こない</mark>" not in str(result.snippet_html)
    assert "が<mark>こない</mark>" in str(result.snippet_html)


@pytest.mark.django_db
def test_a_katakana_synonym_must_be_a_whole_word(content: object) -> None:
    Synonym.objects.create(slug="test-lock", terms="ロック\n保留")
    caps = factories.faq(question="キャプスロックの確かめ方", answer="大文字を確かめます。")
    hold = factories.faq(question="アカウントのロックを解く", answer="本人確認をします。")
    titles = [r.title for r in engine.search("保留", limit=50).results]
    assert hold.question in titles and caps.question not in titles


@pytest.mark.django_db
def test_a_short_latin_synonym_is_a_whole_word(content: object) -> None:
    Synonym.objects.create(slug="test-pin", terms="暗証コード\nPIN")
    word = factories.faq(question="PINを忘れたとき", answer="再設定します。")
    inside = factories.faq(question="Shopping アプリの表示", answer="更新します。")
    titles = [r.title for r in engine.search("暗証コード", limit=50).results]
    assert word.question in titles and inside.question not in titles


@pytest.mark.django_db
def test_the_word_being_typed_still_finds_longer_words(content: object) -> None:
    assert any("ログイン" in r.title for r in engine.search("ログ", limit=10).results)


# --- All the words first, the weak tail cut ---------------------------------------------------------


@pytest.fixture
def animals(content: object) -> dict[str, str]:
    """Articles with made-up words, so that only they match."""
    Synonym.objects.create(slug="test-owl", terms="ふくろう\nみみずく")
    made = {
        "all_in_body": factories.tip(
            title="夜の合言葉", summary="合言葉の話。", body="ふくろうとかめれおんとらくだ。"
        ),
        "one_in_title": factories.tip(title="ふくろうの森", summary="森の話。", body="森です。"),
        "two_in_title": factories.tip(
            title="ふくろうとかめれおん", summary="二匹の話。", body="二匹です。"
        ),
        "synonym_in_body": factories.tip(
            title="野鳥の観察", summary="観察の話。", body="みみずくとかめれおんとらくだ。"
        ),
        "synonym_in_title": factories.tip(
            title="みみずくの巣", summary="巣の話。", body="巣です。"
        ),
    }
    return {name: tip.title for name, tip in made.items()}


def titles(query: str) -> list[str]:
    return [r.title for r in engine.search(query, limit=50).results]


def test_results_with_every_word_come_first(animals: dict[str, str]) -> None:
    found = titles("ふくろう かめれおん")
    every = [animals["all_in_body"], animals["two_in_title"], animals["synonym_in_body"]]
    assert set(found[:3]) == set(every)
    assert animals["one_in_title"] in found[3:]  # one of two words: kept, after


def test_the_weak_tail_is_cut_once_a_result_has_every_word(animals: dict[str, str]) -> None:
    found = titles("ふくろう かめれおん らくだ")
    assert found[0] == animals["all_in_body"]
    assert animals["synonym_in_body"] in found  # every word, one through a synonym: kept
    assert animals["one_in_title"] not in found  # one word of three
    assert animals["synonym_in_title"] not in found
    alone = titles("ふくろう")
    assert animals["synonym_in_title"] in alone  # a synonym in the title is a strong match
    assert animals["synonym_in_body"] not in alone  # only a synonym deep in the text


def test_nothing_is_cut_when_no_result_has_every_word(animals: dict[str, str]) -> None:
    found = titles("ふくろう ずんだもち")
    assert animals["one_in_title"] in found and animals["synonym_in_body"] in found


# --- Snippets ---------------------------------------------------------------------------------------

SCRIPTS = [
    ("kana", r"[\u3041-\u309f]"),
    ("katakana", r"[\u30a0-\u30ff]"),
    ("kanji", r"[\u4e00-\u9fff々]"),
    ("latin", r"[A-Za-z0-9]"),
]


def script(char: str) -> str:
    return next((name for name, pattern in SCRIPTS if re.match(pattern, char)), "other")


def between_words(text: str, i: int) -> bool:
    """A person's reading: no cut inside a run of one script (a katakana word, a Latin word,
    a run of kanji or of kana); punctuation and spaces are always between words."""
    if i in (0, len(text)):
        return True
    before, after = script(text[i - 1]), script(text[i])
    return before != after or before == "other"


def candidate(body: str, summary: str = "") -> Candidate:
    return Candidate(
        1, "faq", "t", "/faq/t/", summary, body, "t", normalise(summary), normalise(body)
    )


def cut_positions(text: str, shown: str) -> tuple[int, int]:
    inner = shown.removeprefix("…").removesuffix("…")
    start = text.index(inner)
    return start, start + len(inner)


FILLER = "アカウントサービスでセキュリティ設定をChromeブラウザからAmazonアカウントに"


@pytest.mark.parametrize("offset", range(0, 60, 7))
def test_a_snippet_never_starts_or_ends_inside_a_word(offset: int) -> None:
    body = FILLER * 3 + "あ" * offset + "パスワードリセット" + FILLER * 3
    shown = snippet(candidate(body), ["りせつと"]).text
    start, end = cut_positions(body, shown)
    assert between_words(body, start) and between_words(body, end), shown
    assert shown.startswith("…") and shown.endswith("…")
    assert "リセット" in shown


def test_a_snippet_prefers_punctuation_and_spaces() -> None:
    body = "前置きの文です。" * 12 + "ここでキャッシュを削除します、それから" + "後の文です。" * 12
    shown = snippet(candidate(body), ["きやつしゆ"]).text
    start, end = cut_positions(body, shown)
    assert body[start - 1] in "。、" and body[end - 1] in "。、", shown


def test_a_short_summary_is_shown_whole_and_a_long_one_cut_between_words() -> None:
    assert snippet(candidate("", "短い要約。"), ["ずんだ"]).text == "短い要約。"
    long = "ブラウザのキャッシュとCookieを削除して、ページを再読み込みします" * 4
    shown = snippet(candidate("", long), ["ずんだ"]).text
    assert shown.endswith("…") and between_words(long, len(shown) - 1)
