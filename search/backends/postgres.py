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

MAX_COMBINATIONS = 48

# The summary and body tiers, and the check for whole phrases, use their indexes only. The
# planner has no statistics for those long columns (migration 0002_indexes: matching a pattern
# against sampled bodies cost more than the query) and would guess how many rows match from the
# pattern's length; when the guess is high and the truth is none, a sequential scan reads every
# row to fill the LIMIT (seconds at 100k documents) where the index takes a millisecond. Sent
# with the query in one round trip, the SET LOCAL lasts for that statement's implicit transaction.
INDEX_ONLY = "SET LOCAL enable_seqscan = off; "
PLANNER_FREE = "SET LOCAL enable_seqscan = on; "  # the title tier, after INDEX_ONLY in a batch


def _word(column: str, word: str) -> tuple[str, Any]:
    if len(word) >= 3:  # pg_trgm's GIN index
        return f"norm_{column} LIKE %s", f"%{word}%"
    return f"pieces_{column} @> ARRAY[%s]::text[]", word  # the GIN index of short pieces


def _pieces(word: str) -> list[str]:
    return [word] if len(word) == 1 else [word[i : i + 2] for i in range(len(word) - 1)]


def _checks(column: str, groups: Sequence[Group]) -> tuple[list[str], list[Any]]:
    """Each group whole, one `strpos` per word: exact, and never reading the pieces arrays."""
    checks: list[str] = []
    params: list[Any] = []
    for group in groups:
        alternatives = []
        for alternative in group.searched:
            alternatives.append(" AND ".join([f"strpos(norm_{column}, %s) > 0"] * len(alternative)))
            params += alternative
        checks.append("(" + " OR ".join(alternatives) + ")")
    return checks, params


def _all_words(column: str, groups: Sequence[Group]) -> tuple[str, list[Any]]:
    """Every word of several groups in one column, found through the pieces index, then
    checked whole by `strpos` (the index's own results are exact, so the pieces arrays, large
    in long bodies, are never read back from the rows).

    Up to MAX_COMBINATIONS combinations of alternatives, one search of the index per
    combination: the index intersects the pieces' lists itself, skipping through the long ones
    (2 ms where ANDing a trigram search of ログイン with one of 履歴 took 6 ms at 100k
    documents; ログイン and 停止, 5 × 4 alternatives that the index needs (`Group.searched`),
    2–4 ms at 1k and 5–8 ms at 100k, where the trigram search of one group filtered by the
    other took 25–45 ms). Past that, one
    search per alternative, ORed within a group and ANDed across groups: as fast at 100k when
    the planner makes it a BitmapAnd, but it may filter by the second group instead and read
    the pieces arrays back (33 ms in the bodies at 1k)."""
    combinations = list(islice(product(*(g.searched for g in groups)), MAX_COMBINATIONS + 1))
    if len(combinations) <= MAX_COMBINATIONS:
        found = "(" + " OR ".join([f"pieces_{column} @> %s::text[]"] * len(combinations)) + ")"
        params: list[Any] = [
            sorted({p for alternative in combination for w in alternative for p in _pieces(w)})
            for combination in combinations
        ]
    else:
        each = [
            "(" + " OR ".join([f"pieces_{column} @> %s::text[]"] * len(g.searched)) + ")"
            for g in groups
        ]
        found = "(" + " AND ".join(each) + ")"
        params = [
            sorted({p for w in alternative for p in _pieces(w)})
            for g in groups
            for alternative in g.searched
        ]
    checks, check_params = _checks(column, groups)
    return f"({found} AND {' AND '.join(checks)})", params + check_params


def condition(column: str, groups: Sequence[Group], require_all: bool) -> tuple[str, list[Any]]:
    """One condition per group: single words in one `LIKE ANY` (three or more characters) and
    one `&&` (shorter), multi-word alternatives as ANDs. Few clauses keep planning cheap."""
    if require_all and len(groups) > 1:
        return _all_words(column, groups)
    params: list[Any] = []
    group_sql = []
    for group in groups:
        singles = [alt[0] for alt in group.searched if len(alt) == 1]
        long_words = [f"%{w}%" for w in singles if len(w) >= 3]
        short_words = [w for w in singles if len(w) < 3]
        alt_sql = []
        if long_words:
            alt_sql.append(f"norm_{column} LIKE ANY (%s)")
            params.append(long_words)
        if short_words:
            alt_sql.append(f"pieces_{column} && %s::text[]")
            params.append(short_words)
        for alt in group.searched:
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


def union(
    columns: str,
    tiers: Sequence[tuple[str, bool]],
    groups: Sequence[Group],
    exclude: Sequence[int],
    kinds: Sequence[str],
    limit: int,
) -> tuple[str, list[Any]]:
    """Several tiers as one statement of up to `limit` rows: each tier a materialised CTE leaving out what the tiers before it found, in a
    UNION ALL whose LIMIT stops at the first tier that fills the list (a CTE runs only as far
    as it is read). The indexes only (INDEX_ONLY), and no parallel plan, which could return
    the tiers out of order."""
    table = SearchEntry._meta.db_table
    ctes: list[str] = []
    params: list[Any] = []
    for i, (column, require_all) in enumerate(tiers):
        where, ps = condition(column, groups, require_all)
        clauses = [where, *(f"e.id NOT IN (SELECT id FROM t{j})" for j in range(i))]
        if exclude:
            clauses.append("NOT (e.id = ANY(%s))")
            ps = [*ps, list(exclude)]
        if kinds:
            clauses.append(f"e.kind IN ({', '.join(['%s'] * len(kinds))})")
            ps = [*ps, *kinds]
        ctes.append(
            f"t{i} AS MATERIALIZED (SELECT {columns} FROM {table} e"
            f" WHERE {' AND '.join(clauses)} LIMIT %s)"
        )
        params += [*ps, limit]
    union = " UNION ALL ".join(f"SELECT * FROM t{i}" for i in range(len(tiers)))
    sql = (
        f"{INDEX_ONLY}SET LOCAL max_parallel_workers_per_gather = 0; "
        f"WITH {', '.join(ctes)} {union} LIMIT %s"
    )
    return sql, [*params, limit]
