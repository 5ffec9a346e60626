"""The content version: one number that changes whenever content or flow data changes.

It is the one thing every cache of content keys on (the flow graph, the search synonyms, later
the page cache). Every save or delete of content bumps it (see each app's `signals.py`); every
worker compares the version its caches were built from with the database's and rebuilds what
is stale.

    current()      the version in the database
    stamp()        the version and when it last changed (the page cache's key and Last-Modified)
    bump()         mark every worker's caches stale
    Cached(build)  a value built from the content, rebuilt when the version changes
    Timed(build)   a value built from other data (outcome statistics), rebuilt after max_age
    reset()        forget every cached value (tests)
    previewing()   while staff try a draft in a transaction that is rolled back: caches build
                   from what they see but keep nothing (`articles.drafts`)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from time import monotonic
from typing import Generic, TypeVar

from django.db import InterfaceError, OperationalError, connection
from django.db.models import F
from django.utils import timezone

from .models import ContentVersion

T = TypeVar("T")

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
    """One indexed read of one row, asked on every flow step and many searches, so it skips
    the ORM's query building."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {ContentVersion._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def stamp() -> tuple[int, datetime | None]:
    """The version and the time it last changed, in the same one-row read as `current()`.

    The page cache asks this first on every request, so it stands in for Django's connection
    health check (`conn_health_checks`, a `SELECT 1` before the first query): the read itself
    shows whether a kept connection still works, and on a broken one it is tried once more on a
    new connection. A cached page then costs one round trip to the database, not two."""
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


def _read_stamp() -> tuple[int, datetime | None]:
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
