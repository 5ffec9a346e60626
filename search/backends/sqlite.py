"""SQLite's candidate query: an FTS5 table (`search_fts`, rowid = SearchEntry.id) of the
normalised text as overlapping two-character tokens (see `search.normalise.gram_text`).

A word is a phrase of its bigrams; a single character, a one-character prefix (the table keeps
a prefix index of length 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..models import SearchEntry
from ..query import Group


def _fts_word(word: str) -> str:
    if len(word) == 1:
        return f'"{word}"*'
    return '"' + " ".join(word[i : i + 2] for i in range(len(word) - 1)) + '"'


def fts_expression(column: str | None, groups: Sequence[Group], require_all: bool) -> str:
    """The MATCH expression: every (or any) group, each as any of its alternatives, in one
    column (`{title} : (…)`) or, for None, in any column."""
    parts = []
    for group in groups:
        alts = [" AND ".join(_fts_word(w) for w in alt) for alt in group.searched]
        parts.append("(" + " OR ".join(f"({a})" for a in alts) + ")")
    joined = (" AND " if require_all else " OR ").join(parts)
    return f"{{{column}}} : ({joined})" if column else joined


def statement(
    columns: str,
    column: str | None,
    groups: Sequence[Group],
    require_all: bool,
    exclude: Sequence[int],
) -> tuple[str, str, list[Any]]:
    """(prefix, SELECT … WHERE …, parameters) of one tier; no prefix on SQLite."""
    table = SearchEntry._meta.db_table
    sql = (
        f"SELECT {columns} FROM search_fts JOIN {table} e"
        " ON e.id = search_fts.rowid WHERE search_fts MATCH %s"
    )
    params: list[Any] = [fts_expression(column, groups, require_all)]
    if exclude:
        sql += f" AND search_fts.rowid NOT IN ({', '.join(['%s'] * len(exclude))})"
        params += exclude
    return "", sql, params
