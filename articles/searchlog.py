"""Counting searches per day: the query text only, nothing about who searched."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from .models import SearchLog
from .search import clean_query


def _row(query: str) -> SearchLog:
    row, _ = SearchLog.objects.get_or_create(day=timezone.localdate(), query=query)
    return row


def searched(query: str, results: int) -> None:
    query = clean_query(query)
    if not query:
        return
    row = _row(query)
    SearchLog.objects.filter(pk=row.pk).update(
        searches=F("searches") + 1, zero_results=F("zero_results") + (0 if results else 1)
    )


def clicked(query: str) -> None:
    query = clean_query(query)
    if not query:
        return
    row = _row(query)
    SearchLog.objects.filter(pk=row.pk).update(clicks=F("clicks") + 1)
