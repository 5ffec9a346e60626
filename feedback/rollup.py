"""Retention: flow events and votes older than `EVENT_RETENTION_DAYS` (whole local days) go,
their daily counts stay.

`python manage.py rollup_events [--days N]` runs it (daily, from cron or a scheduler). In one
transaction: old flow events are deleted (they were counted into `DailyFlowCount` when they were
stored, see `counts.py`); old votes are counted per day and page into `DailyVoteCount` and
deleted, except comments staff have not yet handled, which stay until they are. Counts are added
to rows already there, so running it again changes nothing, and the dashboard shows the same
totals before and after.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from .models import DailyVoteCount, FlowEvent, Vote


def rollup(days: int) -> tuple[int, int]:
    """Roll up what is older than `days` days; returns (events, votes) removed."""
    first_kept = timezone.localdate() - timedelta(days=days)  # whole days only
    with transaction.atomic():
        # Their counts are in DailyFlowCount since they were stored (`counts.py`).
        events, _ = FlowEvent.objects.filter(day__lt=first_kept).delete()

        waiting = ~Q(comment="") & Q(handled=False)
        old_votes = Vote.objects.filter(day__lt=first_kept).exclude(waiting)
        grouped = old_votes.values("day", "page", "object_id")
        for r in grouped.annotate(
            yes=Count("id", filter=Q(helpful=True)),
            no=Count("id", filter=Q(helpful=False)),
            comments=Count("id", filter=~Q(comment="")),
        ):
            row, _ = DailyVoteCount.objects.get_or_create(
                day=r["day"], page=r["page"], object_id=r["object_id"]
            )
            row.helpful += r["yes"]
            row.unhelpful += r["no"]
            row.comments += r["comments"]
            row.save()
        votes, _ = old_votes.delete()
    return events, votes
