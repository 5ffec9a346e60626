"""The content version: one number that changes whenever content or flow data changes.

It is the one thing every cache of content keys on (the flow graph, the search synonyms, later
the page cache). Every save or delete of content bumps it (see each app's `signals.py`); every
worker compares the version its caches were built from with the database's and rebuilds what
is stale.

    current()      the version in the database
    stamp()        the version and when it last changed (the page cache's key and Last-Modified);
                   on PostgreSQL known without a query between changes (see `_Watch`)
    bump()         mark every worker's caches stale
    Cached(build)  a value built from the content, rebuilt when the version changes
    Timed(build)   a value built from other data (outcome statistics), rebuilt after max_age
    reset()        forget every cached value (tests)
    previewing()   while staff try a draft in a transaction that is rolled back: caches build
                   from what they see but keep nothing (`articles.drafts`)
"""

from __future__ import annotations

import logging
import os
import select
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import UTC, datetime
from time import monotonic
from typing import Any, Generic, TypeVar

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import ContentVersion

T = TypeVar("T")
logger = logging.getLogger(__name__)
CHANNEL = "content_version"  # PostgreSQL's NOTIFY channel: bump() notifies, `_Watch` listens

_local_bumps = 0  # bumps made by this process: what its caches must notice at once
_caches: list[Cached[object]] = []
_previewing: ContextVar[bool] = ContextVar("content_previewing", default=False)


@contextmanager
def previewing() -> Iterator[None]:
    """Values built inside come from a draft that will be rolled back: none may be kept."""
    token = _previewing.set(True)
    try:
        yield
    finally:
        _previewing.reset(token)


def is_previewing() -> bool:
    return _previewing.get()


def current() -> int:
    """The version, asked on every flow step and many searches: see `stamp()`."""
    return stamp()[0]


Stamp = tuple[int, datetime | None]


def stamp() -> Stamp:
    """The version and the time it last changed: one indexed read of one row, without the ORM.

    The page cache asks this first on every request. On PostgreSQL each process listens for the
    notification every change sends when it commits (`_Watch`), so between changes the answer
    is known without asking the database: a cached page costs no round trip at all. Elsewhere
    (SQLite, in a transaction, while the listening connection is down) it is read.

    The read stands in for Django's connection health check (`conn_health_checks`, a `SELECT 1`
    before the first query): it shows whether a kept connection still works, and on a broken
    one it is tried once more on a new connection."""
    known = _watch.known()
    if known is not None:
        return known
    value = _checked_read()
    _watch.remember(value)
    return value


def _checked_read() -> Stamp:
    reused = connection.connection is not None and not connection.in_atomic_block
    if reused:
        connection.health_check_done = True  # type: ignore[attr-defined]
    try:
        return _read_stamp()
    except (OperationalError, InterfaceError):
        if not reused:
            raise
        connection.close()  # the database went away since the last request: reconnect once
        return _read_stamp()


def _read_stamp() -> Stamp:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT version, changed_at FROM {ContentVersion._meta.db_table} WHERE id = 1"
        )
        row = cursor.fetchone()
    if not row:
        return 0, None
    changed = row[1]
    if isinstance(changed, str):  # SQLite through a raw cursor
        changed = datetime.fromisoformat(changed)
    if changed is not None and timezone.is_naive(changed):
        changed = timezone.make_aware(changed, UTC)
    return row[0], changed


def bump() -> None:
    """Mark every worker's caches as stale."""
    global _local_bumps
    _local_bumps += 1
    now = timezone.now()
    if not ContentVersion.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now):
        ContentVersion.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": now})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # delivered to every listener when this commits
            cursor.execute(f"NOTIFY {CHANNEL}")
    _watch.forget()
    transaction.on_commit(_watch.forget)


class _Watch:
    """What this process knows of the version on PostgreSQL, kept true by LISTEN/NOTIFY.

    Each process (gunicorn worker) opens one connection of its own that LISTENs on `CHANNEL`.
    `bump()` sends a NOTIFY in the transaction that changes the content, which PostgreSQL
    delivers to every listener when, and only if, it commits. `known()` looks at that
    connection's socket without waiting (a `select` with no timeout, under a microsecond): a
    notification pending makes it forget the version, which the next `stamp()` then reads
    again. Listening starts before the first read, so no change can fall between the two.

    A change committed on another server is seen by a request that starts after the
    notification arrived (measured on loopback: about 0.3 ms after the commit returned, well
    before the writer's own response reaches anyone). Without a listening connection (SQLite,
    `CONTENT_VERSION_LISTEN=0`, PostgreSQL down or restarting: tried again every
    `RETRY_SECONDS`), and inside a transaction, the version is read on every request as before.
    """

    RETRY_SECONDS = 5.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None
        self._pid = 0
        self._value: Stamp | None = None
        self._retry_at = 0.0

    def known(self) -> Stamp | None:
        if connection.in_atomic_block or not self._enabled():
            return None
        with self._lock:
            if self._pid != os.getpid():  # a forked worker must not share its parent's socket
                self._conn, self._value, self._pid = None, None, os.getpid()
            if self._conn is None:
                self._listen()
                return None
            if self._pending():
                self._value = None
            return self._value

    def remember(self, value: Stamp) -> None:
        if not connection.in_atomic_block:
            with self._lock:
                if self._conn is not None:
                    self._value = value

    def forget(self) -> None:
        self._value = None

    @staticmethod
    def _enabled() -> bool:
        return connection.vendor == "postgresql" and settings.CONTENT_VERSION_LISTEN

    def _listen(self) -> None:
        if monotonic() < self._retry_at:
            return
        try:
            conn = psycopg.connect(**connection.get_connection_params(), autocommit=True)
            conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error:
            logger.warning("content version: cannot listen; reading it on each request")
            self._retry_at = monotonic() + self.RETRY_SECONDS
            return
        self._conn, self._value = conn, None

    def _pending(self) -> bool:
        """Whether a notification (or the connection's end) is waiting on the socket."""
        conn = self._conn
        if conn is None:
            return True
        try:
            ready, _, _ = select.select([conn.fileno()], [], [], 0)
            if not ready:
                return False
            notices = list(conn.notifies(timeout=0))
            if conn.closed or conn.broken:
                raise OSError("listening connection closed")
            if not notices:  # readable, yet nothing came: make sure the connection still works
                conn.execute("SELECT 1")
        except Exception:
            logger.warning("content version: listening connection lost", exc_info=True)
            self.close()
            self._retry_at = monotonic() + self.RETRY_SECONDS
        return True

    def close(self) -> None:
        conn, self._conn, self._value = self._conn, None, None
        if conn is not None:
            with suppress(Exception):
                conn.close()


_watch = _Watch()


def reset() -> None:
    """Forget every cached value, so the next use rebuilds from the database (for tests)."""
    for cache in _caches:
        cache.clear()


class Cached(Generic[T]):
    """A value built from the content and rebuilt when the content version changes.

    `max_age` is how long (seconds) a worker may go on using the value before it asks the
    database for the version again: 0 asks on every use. A bump made by this process is
    noticed at once whatever `max_age` is; one made by another worker within `max_age`.
    """

    def __init__(self, build: Callable[[int], T], max_age: float = 0.0) -> None:
        self._build = build
        self._max_age = max_age
        self._lock = threading.Lock()
        self._value: T | None = None
        self._version = -1
        self._bumps = -1
        self._checked = 0.0
        _caches.append(self)  # type: ignore[arg-type]

    def get(self) -> T:
        if _previewing.get():
            return self._build(current())
        now = monotonic()
        value = self._value
        if (
            value is not None
            and self._max_age
            and self._bumps == _local_bumps
            and now - self._checked < self._max_age
        ):
            return value
        bumps = _local_bumps
        wanted = current()
        with self._lock:
            if self._value is None or self._version != wanted:
                self._value = self._build(wanted)
                self._version = wanted
            self._bumps, self._checked = bumps, now
            return self._value

    def clear(self) -> None:
        with self._lock:
            self._value = None
            self._version = -1
            self._bumps = -1


class Timed(Generic[T]):
    """A value built from data that changes without the content version (outcome statistics),
    rebuilt when older than `max_age` seconds. `reset()` clears it too."""

    def __init__(self, build: Callable[[], T], max_age: float) -> None:
        self._build = build
        self._max_age = max_age
        self._lock = threading.Lock()
        self._value: T | None = None
        self._built = 0.0
        _caches.append(self)  # type: ignore[arg-type]

    def get(self) -> T:
        if _previewing.get():
            return self._build()
        now = monotonic()
        value = self._value
        if value is not None and now - self._built < self._max_age:
            return value
        with self._lock:
            if self._value is None or now - self._built >= self._max_age:
                self._value = self._build()
                self._built = now
            return self._value

    def clear(self) -> None:
        with self._lock:
            self._value = None
            self._built = 0.0
