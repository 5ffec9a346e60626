from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.cache import caches

from articles import content as content_loader
from articles import version
from articles.models import (
    FAQ,
    Cause,
    ContentVersion,
    OldSlug,
    PreventionTip,
    Service,
    SupportChannel,
    Tombstone,
)
from diagnosis.models import Question
from helpcenter import pagecache
from search.models import SearchEntry, Synonym


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """Each test starts from what the database holds, not from another test's memory."""
    for cache in caches.all():
        cache.clear()
    version.reset()
    pagecache.forget_local()
    yield
    for cache in caches.all():
        cache.clear()
    version.reset()
    pagecache.forget_local()


@pytest.fixture
def one_window() -> Iterator[None]:
    """django-ratelimit counts per minute-long window: a burst that straddled the end of one
    would start again from zero (the clock stands still for django-ratelimit alone)."""
    with mock.patch("django_ratelimit.core.time") as clock:
        clock.time.return_value = 1_800_000_000.0
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """The shipped content, loaded once as `make run` loads it; each test's changes roll back."""
    with django_db_blocker.unblock():
        content_loader.load()


@pytest.fixture
def content(db: None) -> None:
    """Marks a test that reads the shipped content (loaded once per session)."""


@pytest.fixture
def empty(db: None) -> None:
    """An empty database, for tests of loading into one (rolled back after the test)."""
    for model in (Question, Synonym, FAQ, PreventionTip, SupportChannel, Cause, Service):
        model.objects.all().delete()
    SearchEntry.objects.all().delete()
    ContentVersion.objects.all().delete()
    # An empty database remembers no deletions or renames (the deletes above just wrote them).
    Tombstone.objects.all().delete()
    OldSlug.objects.all().delete()
