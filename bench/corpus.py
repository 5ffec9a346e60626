"""The synthetic help-center corpus of `bench/search.py`, the queries measured on it, and
`build`, which puts it in a fresh database.

Titles of 15-30 characters, summaries of 60-100 and bodies of 300-1000, built from sentences
of help-center words, generated with a fixed seed. The measured words (and their synonyms) are
kept out of the filler vocabulary and written into documents only as `generate` decides, so
how many documents hold each is known. The documents are indexed by the search app's own bulk
API (`search.index.write`), as any other document is.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from search.index import Document

SEED = 20261122


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    note: str
    # What a document must contain to count as having the query (the `icontains` scan looks
    # for all of these): the query itself unless said otherwise.
    needs: tuple[str, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        return self.needs or (self.text,)


RARE = "定期おトク便"
SHORT = "停止"
COMMON = "ログイン"
MISS = "クーポン"
PHRASE = "ログイン履歴"
ROMAJI = "roguin"
ALL_WORDS = f"{COMMON} {SHORT}"
QUERIES = (
    Query("rare", RARE, "in 5 documents at every size"),
    Query("2-char", SHORT, "in ~12% of documents, like the shipped content (5 of 40)"),
    Query("common", COMMON, "in ~40% of documents"),
    Query(
        "miss", MISS, "in no document; one katakana word with no synonym inside, nothing to split"
    ),
    Query(
        "phrase",
        PHRASE,
        "in no document as typed; the search splits it into ログイン (~40%) and 履歴 (most)",
    ),
    Query(
        "romaji",
        ROMAJI,
        "ログイン typed with the input method off (~40%), read as ろぐいん",
        needs=(COMMON,),
    ),
    Query(
        "all-words",
        ALL_WORDS,
        "two words, ~40% and ~12%, both in ~5%: those first, the weak tail cut",
        needs=(COMMON, SHORT),
    ),
)
SHORT_SHARE = 0.12
COMMON_SHARE = 0.40
RARE_COUNT = 5


def split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Filler vocabulary: help-center words, none containing a measured word or one of its synonyms
# (サインイン, 凍結, 閉鎖, BAN, 入れない, …).
NOUNS = split(
    """
    パスワード 確認コード 2段階認証 ブラウザ アプリ 注文 設定 アカウント メールアドレス 電話番号
    画面 本人確認 支払い方法 お届け先住所 商品 出品情報 在庫 キャッシュ クッキー 通知 端末
    スマートフォン パソコン セキュリティ 認証アプリ 注文履歴 閲覧履歴 プライム会員 ギフトカード
    返品 配送状況 請求書 セラーセントラル プライムビデオ テレビ 迷惑メールフォルダ 受信設定 SMS
    Wi-Fi ヘルプページ カスタマーサービス 利用規約 身分証明書 銀行口座 クレジットカード
    """
)
VERBS = split(
    """
    確認します 入力します 変更します 再設定します 削除します 試します 開きます 選択します
    送信します 有効にします 無効にします 更新します 見直します 保存します 登録します
    """
)
STATES = split(
    "表示されない 届かない 使えない わからない 間違っている 古いままの 切り替わらない 読み込めない"
)
OPENERS = (
    *("", "", ""),
    *split("まず、 次に、 念のため、 しばらく待ってから もう一度 必要に応じて"),
    "それでも解決しない場合は、",
)
SENTENCES = (
    "{o}{n1}を{v}。",
    "{o}{n1}の{n2}を{v}。",
    "{n1}が{s}場合は、{n2}を{v}。",
    "{n1}から{n2}を{v}。",
    "{o}{n1}で{n2}を{v}。",
    "{n1}と{n2}が正しいかどうかを{v}。",
    "{n1}が{s}ときは、{n2}の{n3}を{v}。",
    "{n1}には{n2}が必要です。",
)
TITLES = (
    "{n1}が{s}ときの対処法",
    "{n1}の{n2}を{v_base}方法",
    "{n1}と{n2}について",
    "{n1}が{s}場合",
    "{n1}で{n2}が{s}",
)
V_BASE = ("確認する", "変更する", "再設定する", "削除する", "登録する", "見直す")

# How the measured words are written into a sentence or a title.
FORMS: dict[str, tuple[str, ...]] = {
    COMMON: (
        "{w}できない場合は、{n1}を{v}。",
        "{w}画面で{n1}を{v}。",
        "{w}の前に{n1}を{v}。",
        "{w}するときは{n1}が必要です。",
    ),
    SHORT: (
        "アカウントが{w}された場合は、{n1}を{v}。",
        "出品が{w}されたときは、{n1}の{n2}を{v}。",
        "{w}の理由は{n1}に表示されます。",
    ),
    RARE: ("{w}の{n1}を{v}。", "{w}を利用している場合は、{n1}を{v}。"),
}
TITLE_FORMS: dict[str, tuple[str, ...]] = {
    COMMON: ("{w}できないときの{n1}", "{w}画面で{n1}が{s}", "{w}時に{n1}を{v_base}方法"),
    SHORT: ("アカウントが{w}されたとき", "{n1}が{w}された場合の対処法"),
    RARE: ("{w}の{n1}を{v_base}方法",),
}

FIRST_ID = 1_000_000  # object ids of the synthetic documents, clear of the shipped content
PRIORITY = {"cause": 2, "faq": 1, "tip": 0}  # as search.index.document gives them
URL_PREFIX = {"cause": "/causes/", "faq": "/faq/", "tip": "/tips/"}


class Generator:
    def __init__(self, seed: int, pool: int = 20_000) -> None:
        self.rng = random.Random(seed)
        # Filler sentences are drawn from a pool: much faster than composing each one.
        self.pool = [self.fill(self.rng.choice(SENTENCES)) for _ in range(pool)]

    def fill(self, template: str, word: str = "") -> str:
        rng = self.rng
        n1, n2, n3 = rng.sample(NOUNS, 3)
        return template.format(
            w=word,
            n1=n1,
            n2=n2,
            n3=n3,
            v=rng.choice(VERBS),
            v_base=rng.choice(V_BASE),
            s=rng.choice(STATES),
            o=rng.choice(OPENERS),
        )

    def text(self, low: int, high: int, words: list[str]) -> str:
        """Sentences adding up to a length in [low, high], the given words each in one of them."""
        rng = self.rng
        target = rng.randint(low, high)
        parts = [self.fill(rng.choice(FORMS[w]), w) for w in words]
        length = sum(len(s) for s in parts)
        while length < target:
            for sentence in rng.choices(self.pool, k=8):
                if length + len(sentence) <= high:
                    parts.append(sentence)
                    length += len(sentence)
                if length >= target:
                    break
            if length >= low and length + 20 > high:
                break
        rng.shuffle(parts)
        return "".join(parts)

    def title(self, word: str | None) -> str:
        rng = self.rng
        title = ""
        for _ in range(50):
            if word:
                title = self.fill(rng.choice(TITLE_FORMS[word]), word)
            else:
                title = self.fill(rng.choice(TITLES))
            if 15 <= len(title) <= 30:
                break
        return title

    def doc(self, words: list[str]) -> tuple[str, str, str, str]:
        """(kind, title, summary, body); each of `words` goes into the title, summary or body."""
        rng = self.rng
        kind = rng.choices(("cause", "faq", "tip"), weights=(2, 5, 3))[0]
        in_title = [w for w in words if rng.random() < 0.3]
        title_word = in_title[0] if in_title else None
        rest = [w for w in words if w != title_word]
        in_summary = [w for w in rest if rng.random() < 0.4]
        in_body = [w for w in rest if w not in in_summary]
        # A word in the title or summary is usually in the body too, as in real articles.
        in_body += [w for w in words if w not in in_body and rng.random() < 0.5]
        title = self.title(title_word)
        summary = self.text(60, 100, in_summary)
        return kind, title, summary, self.text(300, 1000, in_body)


def rare_positions(size: int) -> set[int]:
    """Where the rare word goes: RARE_COUNT documents spread evenly over the corpus."""
    return {(k * size) // RARE_COUNT + size // (2 * RARE_COUNT) for k in range(RARE_COUNT)}


def generate(size: int, seed: int = SEED) -> Iterator[Document]:
    """`size` documents for `search.index.write` (Django set up)."""
    from search.index import Document

    gen = Generator(seed + size)
    rare = rare_positions(size)
    for number in range(size):
        words = []
        if gen.rng.random() < COMMON_SHARE:
            words.append(COMMON)
        if gen.rng.random() < SHORT_SHARE:
            words.append(SHORT)
        if number in rare:
            words.append(RARE)
        kind, title, summary, body = gen.doc(words)
        object_id = FIRST_ID + number
        url = f"{URL_PREFIX[kind]}synthetic-{object_id}/"
        yield Document(kind, object_id, url, title, summary, body, PRIORITY[kind])


# --------------------------------------------------------------------------------------------
# Putting it in the database (a child process of bench/search.py, Django set up)


def pg_search_indexes() -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of each index on the search table that backs no
    constraint: the ones the migrations created for searching, whatever they are now."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = 'search_searchentry'::regclass AND NOT EXISTS"
            " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
        )
        return [(name, sql) for name, sql in cursor.fetchall()]


def create_indexes(statements: list[str]) -> None:
    """CREATE INDEX statements side by side, one connection each (PostgreSQL 15 builds a GIN
    index on one CPU)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run(sql: str) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                cursor.execute(sql)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        for future in [pool.submit(run, sql) for sql in statements]:
            future.result()


def build(size: int, load_content: bool) -> dict[str, float]:
    """Migrate, load the shipped content, index the synthetic documents; seconds per step."""
    from django.core.management import call_command
    from django.db import connection

    from search import index

    timings: dict[str, float] = {}
    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    timings["migrate"] = time.perf_counter() - start
    if load_content:
        from articles import content

        start = time.perf_counter()
        content.load()
        timings["load_content"] = time.perf_counter() - start

    start = time.perf_counter()
    postgres = connection.vendor == "postgresql"
    indexes = pg_search_indexes() if postgres else []
    with connection.cursor() as cursor:
        # Building the GIN indexes once at the end is much faster than row by row; they are
        # created again from their own definitions (what the migrations made).
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    if indexes:
        names = ", ".join(name for name, _ in indexes)
        print(f"    {len(indexes)} search indexes rebuilt after the insert: {names}", flush=True)
    index.write(generate(size), batch=2000)
    timings["insert"] = time.perf_counter() - start
    start = time.perf_counter()
    index.optimise()  # as index.rebuild() does after load_content (SQLite: one FTS5 segment)
    if postgres:
        create_indexes([sql for _, sql in indexes])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE search_searchentry" if postgres else "ANALYZE")
    timings["index"] = time.perf_counter() - start
    return timings
