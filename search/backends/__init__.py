"""Candidates from the index, tier by tier, on the database in use.

Each database has its own candidate query (`sqlite`: an FTS5 table of bigram tokens;
`postgres`: pg_trgm and the GIN indexes of short pieces); the tiers, the columns fetched and
the row type scoring reads are shared here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


def tier(
    column: str | None,
    groups: Sequence[Group],
    require_all: bool,
    limit: int,
    exclude: Sequence[int] = (),
    kinds: Sequence[str] = (),
) -> list[Candidate]:
    """Entries matching in one column (or, for None, in any column), leaving out `exclude`."""
    statement = sqlite.statement if connection.vendor == "sqlite" else postgres.statement
    columns = ", ".join(f"e.{c}" for c in COLUMNS)
    prefix, sql, params = statement(columns, column, groups, require_all, exclude)
    if kinds:
        sql += f" AND e.kind IN ({', '.join(['%s'] * len(kinds))})"
        params += kinds
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql + " LIMIT %s", [*params, limit])
        if prefix:  # a statement of its own, sent in the same round trip: skip its result
            cursor.nextset()
        return [Candidate(*row) for row in cursor.fetchall()]


def count_upto(group: Group, most: int) -> int:
    """In how many entries (counting no further than `most`) the word appears, in any column."""
    return len(tier(None, [group], True, most))


def candidates(
    groups: Sequence[Group], limit: int = CANDIDATES, kinds: Sequence[str] = ()
) -> list[Candidate]:
    """Up to `limit` entries, tier by tier: every word in the title, then in the summary, then
    in the body; then any word, in the same order. A tier that fills the list ends the search."""
    found: list[Candidate] = []
    for require_all in (True, False) if len(groups) > 1 else (True,):
        for column in FIELDS:
            if len(found) >= limit:
                return found
            seen = [c.pk for c in found]
            found += tier(column, groups, require_all, limit - len(found), seen, kinds)
    return found
