"""Searches counted per day: the query text only, with personal data masked (`redact`), and
nothing about who searched. Rows are kept until the analytics' retention clean-up removes them.
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from .models import SearchLog
from .redact import redact


def searched(query: str, results: int) -> bool:
    """Count a search; False when nothing was left to store after masking."""
    query = redact(query)[:200]
    if not query:
        return False
    row, _ = SearchLog.objects.get_or_create(day=timezone.localdate(), query=query)
    SearchLog.objects.filter(pk=row.pk).update(
        searches=F("searches") + 1, zero_results=F("zero_results") + (0 if results else 1)
    )
    return True


def clicked(query: str) -> bool:
    """Count a click on a result, only for a query that was searched today."""
    query = redact(query)[:200]
    if not query:
        return False
    return bool(
        SearchLog.objects.filter(day=timezone.localdate(), query=query).update(
            clicks=F("clicks") + 1
        )
    )
