"""PostgreSQL's candidate query: pg_trgm GIN indexes on the normalised text for words of three
or more characters; GIN indexes on arrays of the one- and two-character pieces of every word
(`pieces_*`, generated from `grams_*`) for shorter ones. See migration 0002_indexes.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice, product
from typing import Any

from ..index import FIELDS
from ..models import SearchEntry
from ..query import Group

MAX_COMBINATIONS = 12

# The summary and body tiers, and the check for whole phrases, use their indexes only. The
# planner has no statistics for those long columns (migration 0002_indexes: matching a pattern
# against sampled bodies cost more than the query) and would guess how many rows match from the
# pattern's length; when the guess is high and the truth is none, a sequential scan reads every
# row to fill the LIMIT (seconds at 100k documents) where the index takes a millisecond. Sent
# with the query in one round trip, the SET LOCAL lasts for that statement's implicit transaction.
INDEX_ONLY = "SET LOCAL enable_seqscan = off; "


def _word(column: str, word: str) -> tuple[str, Any]:
    if len(word) >= 3:  # pg_trgm's GIN index
        return f"norm_{column} LIKE %s", f"%{word}%"
    return f"pieces_{column} @> ARRAY[%s]::text[]", word  # the GIN index of short pieces


def _pieces(word: str) -> list[str]:
    return [word] if len(word) == 1 else [word[i : i + 2] for i in range(len(word) - 1)]


def _all_words(column: str, groups: Sequence[Group]) -> tuple[str, list[Any]] | None:
    """Every word of several groups in one column, as one search of the pieces index per
    combination of alternatives: the index intersects the pieces' lists itself, skipping
    through the long ones (2 ms where ANDing a trigram search of ログイン with one of 履歴 took
    6 ms at 100k documents). `strpos` then checks each word whole; the index's own results are
    exact, so the pieces arrays (large in long bodies) are never read back from the rows.
    None past MAX_COMBINATIONS."""
    combinations = list(islice(product(*(g.alternatives for g in groups)), MAX_COMBINATIONS + 1))
    if len(combinations) > MAX_COMBINATIONS:
        return None
    found = " OR ".join([f"pieces_{column} @> %s::text[]"] * len(combinations))
    params: list[Any] = [
        sorted({p for alternative in combination for w in alternative for p in _pieces(w)})
        for combination in combinations
    ]
    checks = []
    for group in groups:
        alternatives = []
        for alternative in group.alternatives:
            alternatives.append(" AND ".join([f"strpos(norm_{column}, %s) > 0"] * len(alternative)))
            params += alternative
        checks.append("(" + " OR ".join(alternatives) + ")")
    return f"(({found}) AND {' AND '.join(checks)})", params


def condition(column: str, groups: Sequence[Group], require_all: bool) -> tuple[str, list[Any]]:
    """One condition per group: single words in one `LIKE ANY` (three or more characters) and
    one `&&` (shorter), multi-word alternatives as ANDs. Few clauses keep planning cheap."""
    if require_all and len(groups) > 1:
        combined = _all_words(column, groups)
        if combined is not None:
            return combined
    params: list[Any] = []
    group_sql = []
    for group in groups:
        singles = [alt[0] for alt in group.alternatives if len(alt) == 1]
        long_words = [f"%{w}%" for w in singles if len(w) >= 3]
        short_words = [w for w in singles if len(w) < 3]
        alt_sql = []
        if long_words:
            alt_sql.append(f"norm_{column} LIKE ANY (%s)")
            params.append(long_words)
        if short_words:
            alt_sql.append(f"pieces_{column} && %s::text[]")
            params.append(short_words)
        for alt in group.alternatives:
            if len(alt) > 1:
                words_sql = [_word(column, w) for w in alt]
                alt_sql.append("(" + " AND ".join(sql for sql, _ in words_sql) + ")")
                params += [param for _, param in words_sql]
        group_sql.append("(" + " OR ".join(alt_sql) + ")")
    return "(" + (" AND " if require_all else " OR ").join(group_sql) + ")", params


def statement(
    columns: str,
    column: str | None,
    groups: Sequence[Group],
    require_all: bool,
    exclude: Sequence[int],
) -> tuple[str, str, list[Any]]:
    """(prefix, SELECT … WHERE …, parameters) of one tier: the prefix keeps every tier but the
    title's to the indexes (INDEX_ONLY)."""
    table = SearchEntry._meta.db_table
    parts = [condition(c, groups, require_all) for c in ([column] if column else FIELDS)]
    sql = f"SELECT {columns} FROM {table} e WHERE ({' OR '.join(c for c, _ in parts)})"
    params: list[Any] = [p for _, ps in parts for p in ps]
    if exclude:
        sql += " AND NOT (e.id = ANY(%s))"
        params.append(list(exclude))
    return ("" if column == "title" else INDEX_ONLY), sql, params
