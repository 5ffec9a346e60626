"""Retention: flow events and votes older than `EVENT_RETENTION_DAYS` (whole local days) go,
their daily counts stay.

`python manage.py rollup_events [--days N]` runs it (daily, from cron or a scheduler). In one
transaction: old flow events and votes are deleted (they were counted into `DailyFlowCount` and
`DailyVoteCount` when they were stored, see `counts.py`), except votes whose comment staff have
not yet handled, which stay until they are. Running it again changes nothing, and the dashboard,
which reads the counts, shows the same totals before and after.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import FlowEvent, Vote


def rollup(days: int) -> tuple[int, int]:
    """Roll up what is older than `days` days; returns (events, votes) removed."""
    first_kept = timezone.localdate() - timedelta(days=days)  # whole days only
    with transaction.atomic():
        # Their counts are in DailyFlowCount since they were stored (`counts.py`).
        events, _ = FlowEvent.objects.filter(day__lt=first_kept).delete()

        waiting = ~Q(comment="") & Q(handled=False)
        votes, _ = Vote.objects.filter(day__lt=first_kept).exclude(waiting).delete()
    return events, votes
