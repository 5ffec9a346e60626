"""`manage.py check` fails on a PostgreSQL database where search cannot work."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError


def register() -> None:
    checks.register(check_database, "search")


def check_database(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """pg_trgm ignores Japanese characters under the C locale: search would find nothing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
            row = cursor.fetchone()
    except DatabaseError:
        return []
    ctype = (row[0] if row else "") or ""
    if ctype.upper() in {"C", "POSIX"}:
        return [
            checks.Error(
                f"データベースの lc_ctype が {ctype} です。pg_trgm が日本語を無視するため、検索が働きません。",
                hint="C.UTF-8 や ja_JP.UTF-8 など UTF-8 の lc_ctype でデータベースを作り直してください"
                "（CREATE DATABASE ... LC_CTYPE 'C.UTF-8' TEMPLATE template0）。",
                id="search.E001",
            )
        ]
    return []
