"""On PostgreSQL each process knows the content version without asking, between changes: it
listens for the notification a change sends when it commits (`articles.version._Watch`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
SERVER = os.environ.get("TEST_PG_SERVER", "postgres://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def throwaway_database() -> Iterator[str]:
    """A database of its own (the suite's runs inside transactions that never commit, so no
    change there would ever be notified), holding only the content version's row."""
    name = f"loginhelp_watch_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = SERVER.rsplit("/", 1)[0] + "/" + name
    try:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(
                "CREATE TABLE articles_contentversion (id smallint PRIMARY KEY,"
                " version bigint NOT NULL, changed_at timestamptz)"
            )
            db.execute("INSERT INTO articles_contentversion VALUES (1, 7, now())")
        yield url
    finally:
        with psycopg.connect(SERVER, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_worker_knows_the_version_without_asking_until_a_change_commits(
    throwaway_database: str,
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": throwaway_database,
        "CONTENT_VERSION_LISTEN": "1",
        "CONN_MAX_AGE": "60",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.articles.watch_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["first"] == {"versions": [7], "queries": 1}
    assert seen["again"] == {"versions": [7], "queries": 0}  # a cached page asks nothing
    # Another worker's change is seen by the next request, read once.
    assert seen["after_bump"] == {"versions": [8], "queries": 1}
    assert seen["after_rollback"] == {"versions": [8], "queries": 0}
    # Without its listening connection a worker reads the version each time, and is right.
    assert seen["listener_gone"]["versions"] == [8]
    assert seen["listener_gone"]["queries"] == 3
    assert seen["listener_gone_bump"] == {"versions": [9], "queries": 3}
    assert seen["own_uncommitted"] == {"versions": [10], "queries": 1}
    assert seen["own_committed"] == {"versions": [10], "queries": 1}


def test_the_suites_own_requests_read_the_version(client: Client, content: object) -> None:
    """Inside a transaction (every test here, an admin save) the version is always read: what
    the transaction sees may not be what others see."""
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    with override_settings(CONTENT_VERSION_LISTEN=True):
        client.get("/tips/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/tips/")["X-Cache"] == "hit"
    assert len(queries) == 1
