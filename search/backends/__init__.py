"""Candidates from the index, tier by tier, on the database in use.

The tiers: every word in the title, then in the summary, then in the body; then (for several
words) any word, in the same order. A tier that fills the list ends the search. Each database
has its own candidate query (`sqlite`: an FTS5 table of bigram tokens; `postgres`: pg_trgm and
the GIN indexes of short pieces); the tiers, the columns fetched and the row type scoring
reads are shared here.

SQLite runs in the process: one statement per tier costs nothing more. PostgreSQL is a server,
and each statement is a round trip in which the search waits for another process to be given a
CPU: on a busy machine, that wait is where the slow searches came from (a phrase at 1k
documents took four to seven statements, see docs/PERFORMANCE.md). So a search sends at most
two batches there. The first: how often each typed phrase appears whole (`phrases`), and the
every-word tiers (for one word, the title tier alone, which the planner may scan). The second,
only when the list is not full: the remaining tiers (for several words, the any-word tiers) as
one statement that stops as soon as it is (`postgres.union`). All tiers at once would cost more
to plan than the round trip they save when the first ones fill the list (3.4 ms against 2 ms
at 100k documents).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from ..index import FIELDS
from ..query import Group
from . import postgres, sqlite

CANDIDATES = 60  # at least; twice the results asked for when that is more


@dataclass(slots=True)
class Candidate:
    """An index entry as scoring reads it: plain values, no model instance."""

    pk: int
    kind: str
    title: str
    url: str
    summary: str
    body: str
    norm_title: str
    norm_summary: str
    norm_body: str


# What scoring and snippets read: plain values, fetched by the statement that finds candidates
# (in the order of Candidate's fields).
COLUMNS = (
    "id",
    "kind",
    "title",
    "url",
    "summary",
    "body",
    "norm_title",
    "norm_summary",
    "norm_body",
)


def tiers(groups: Sequence[Group]) -> list[tuple[str, bool]]:
    """(column, every word or any word) in the order candidates are gathered."""
    modes = (True, False) if len(groups) > 1 else (True,)
    return [(column, require_all) for require_all in modes for column in FIELDS]


def _kinds(sql: str, params: list[Any], kinds: Sequence[str]) -> tuple[str, list[Any]]:
    if not kinds:
        return sql, params
    return sql + f" AND e.kind IN ({', '.join(['%s'] * len(kinds))})", [*params, *kinds]


def _rows(cursor: Any) -> list[list[tuple[Any, ...]]]:
    """The rows of every statement of a batch that returns rows, in order."""
    found = []
    while True:
        if cursor.description is not None:
            found.append(cursor.fetchall())
        if not cursor.nextset():
            return found


def _sqlite(
    groups: Sequence[Group],
    limit: int,
    kinds: Sequence[str],
    phrases: Sequence[Group],
    enough: int,
) -> tuple[list[Candidate], list[list[Candidate]]]:
    columns = ", ".join(f"e.{c}" for c in COLUMNS)

    def run(column: str | None, words: Sequence[Group], every: bool, most: int) -> list[Candidate]:
        _, sql, params = sqlite.statement(columns, column, words, every, [c.pk for c in found])
        sql, params = _kinds(sql, params, kinds)
        with connection.cursor() as cursor:
            cursor.execute(sql + " LIMIT %s", [*params, most])
            return [Candidate(*row) for row in cursor.fetchall()]

    found: list[Candidate] = []
    whole = [run(None, [phrase], True, limit) for phrase in phrases]
    if any(len(rows) >= enough for rows in whole):
        return found, whole  # a phrase is there whole: these groups were the wrong guess
    for column, require_all in tiers(groups):
        if len(found) >= limit:
            break
        found += run(column, groups, require_all, limit - len(found))
    return found, whole


def _postgres(
    groups: Sequence[Group],
    limit: int,
    kinds: Sequence[str],
    phrases: Sequence[Group],
    enough: int,
) -> tuple[list[Candidate], list[list[Candidate]]]:
    columns = ", ".join(f"e.{c}" for c in COLUMNS)
    batch: list[str] = []
    params: list[Any] = []
    for phrase in phrases:  # whole phrases: the indexes only
        prefix, sql, ps = postgres.statement(columns, None, [phrase], True, ())
        sql, ps = _kinds(sql, ps, kinds)
        batch.append(f"{prefix}{sql} LIMIT %s;")
        params += [*ps, limit]
    every = [tier for tier in tiers(groups) if tier[1]]
    if len(groups) > 1:  # every word, in any column: the indexes anyway, one statement
        sql, ps = postgres.union(columns, every, groups, (), kinds, limit)
        later = [[tier for tier in tiers(groups) if not tier[1]]]
    else:  # one word: the title tier may be best scanned (a word in many titles)
        prefix, sql, ps = postgres.statement(columns, every[0][0], groups, True, ())
        sql, ps = _kinds(sql, ps, kinds)
        sql = f"{postgres.PLANNER_FREE if phrases else prefix}{sql} LIMIT %s"
        ps = [*ps, limit]
        later = [every[1:]]
    batch.append(sql)
    params += ps
    with connection.cursor() as cursor:
        cursor.execute(" ".join(batch), params)
        *whole, found = ([Candidate(*row) for row in rows] for rows in _rows(cursor))
        if any(len(rows) >= enough for rows in whole):
            return found, whole  # a phrase is there whole: these groups were the wrong guess
        for batch_tiers in later:
            if len(found) >= limit:
                break
            exclude = [c.pk for c in found]
            sql, params = postgres.union(
                columns, batch_tiers, groups, exclude, kinds, limit - len(found)
            )
            cursor.execute(sql, params)
            found += [Candidate(*row) for row in _rows(cursor)[-1]]
    return found, whole


def candidates(
    groups: Sequence[Group],
    limit: int = CANDIDATES,
    kinds: Sequence[str] = (),
    phrases: Sequence[Group] = (),
    enough: int = 1,
) -> tuple[list[Candidate], list[list[Candidate]]]:
    """Up to `limit` entries, tier by tier (see `tiers`), of the given kinds (any when empty);
    and for each of `phrases`, up to `limit` entries where it appears whole in any column
    (fewer than `limit` are all of them). Where one of them appears whole in `enough` entries,
    `groups` (its pieces) were the wrong guess, and the tiers may stop early."""
    if connection.vendor == "sqlite":
        return _sqlite(groups, limit, kinds, phrases, enough)
    return _postgres(groups, limit, kinds, phrases, enough)
