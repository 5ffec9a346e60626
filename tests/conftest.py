from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from articles import content as content_loader


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def content(db: None) -> content_loader.Report:
    """The shipped content (fixtures/*.yaml), loaded as `make run` loads it."""
    return content_loader.load()
