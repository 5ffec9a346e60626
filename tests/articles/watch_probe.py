"""Run by tests/articles/test_version_watch.py in processes of their own, on a throwaway
PostgreSQL database that holds only the content version's table.

    python -m tests.articles.watch_probe           a worker: asks the version as pages do and
                                                    prints what it saw, as JSON
    python -m tests.articles.watch_probe bump      another worker: one change, committed
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings.test")
django.setup()

import psycopg  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from articles import version  # noqa: E402


def asked(times: int = 3) -> dict[str, object]:
    """What `stamp()` answers `times` times in a row, and how many queries that took."""
    with CaptureQueriesContext(connection) as queries:
        answers = {version.stamp()[0] for _ in range(times)}
    return {"versions": sorted(answers), "queries": len(queries)}


def bump_elsewhere() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.articles.watch_probe", "bump"],
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def main() -> None:
    seen: dict[str, object] = {"first": asked(1), "again": asked()}
    bump_elsewhere()
    seen["after_bump"] = asked()
    # A change rolled back notifies nobody: still nothing to ask.
    writer = psycopg.connect(**connection.get_connection_params())
    with writer.transaction(force_rollback=True):
        writer.execute(f"UPDATE {version.ContentVersion._meta.db_table} SET version = 99")
        writer.execute(f"NOTIFY {version.CHANNEL}")
    seen["after_rollback"] = asked()
    # The listening connection dies (PostgreSQL restarted, a proxy cut it): the version is
    # read on every request, and nothing fails.
    writer.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE query LIKE %s AND pid <> pg_backend_pid()",
        (f"LISTEN {version.CHANNEL}%",),
    )
    writer.commit()
    while writer.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE %s AND pid <> pg_backend_pid()",
        (f"LISTEN {version.CHANNEL}%",),
    ).fetchone()[0]:
        writer.commit()  # a new snapshot of pg_stat_activity each time
    seen["listener_gone"] = asked()
    bump_elsewhere()
    seen["listener_gone_bump"] = asked()
    # This process's own change is seen at once, committed or not.
    with transaction.atomic():
        version.bump()
        seen["own_uncommitted"] = asked(1)
    seen["own_committed"] = asked(1)
    print(json.dumps(seen))


if __name__ == "__main__":
    if sys.argv[1:] == ["bump"]:
        with transaction.atomic():
            version.bump()
    else:
        main()
