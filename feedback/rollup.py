"""Retention: flow events and votes older than `EVENT_RETENTION_DAYS` become daily counts.

`python manage.py rollup_events [--days N]` runs it (daily, from cron or a scheduler). In one
transaction, old flow events are counted per day, kind, service, cause, fix and version (plus
the flows that tried a fix, per day, service and cause: kind `tried_any`) into `DailyFlowCount`
and deleted; old votes are counted per day and page into `DailyVoteCount` and deleted, except
comments staff have not yet handled, which stay until they are. Counts are added to rows already
there, so running it again changes nothing, and the dashboard (raw events plus these rows) shows
the same totals before and after.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from .dashboard import TRIED_ANY
from .models import DailyFlowCount, DailyVoteCount, FlowEvent, Vote

FIELDS = ("day", "kind", "service", "cause", "key", "version")


def _add_flow_counts(rows: list[dict]) -> None:
    days = {r["day"] for r in rows}
    existing = {
        tuple(getattr(c, f) for f in FIELDS): c for c in DailyFlowCount.objects.filter(day__in=days)
    }
    new, changed = [], []
    for r in rows:
        key = tuple(r[f] for f in FIELDS)
        if key in existing:
            existing[key].count += r["n"]
            changed.append(existing[key])
        else:
            new.append(DailyFlowCount(**{f: r[f] for f in FIELDS}, count=r["n"]))
    DailyFlowCount.objects.bulk_create(new, batch_size=1000)
    DailyFlowCount.objects.bulk_update(changed, ["count"], batch_size=1000)


def rollup(days: int) -> tuple[int, int]:
    """Roll up what is older than `days` days; returns (events, votes) removed."""
    cutoff = timezone.now() - timedelta(days=days)
    with transaction.atomic():
        old = FlowEvent.objects.filter(created_at__lt=cutoff).annotate(day=TruncDate("created_at"))
        counts = list(old.values(*FIELDS).annotate(n=Count("id")))
        tried = old.filter(
            kind__in=[FlowEvent.Kind.TRIED, FlowEvent.Kind.DONE, FlowEvent.Kind.RESOLVED]
        )
        for r in tried.values("day", "service", "cause").annotate(
            n=Count("flow_id", distinct=True)
        ):
            counts.append({**r, "kind": TRIED_ANY, "key": "", "version": ""})
        _add_flow_counts(counts)
        events, _ = FlowEvent.objects.filter(created_at__lt=cutoff).delete()

        waiting = ~Q(comment="") & Q(handled=False)
        old_votes = Vote.objects.filter(created_at__lt=cutoff).exclude(waiting)
        grouped = old_votes.annotate(day=TruncDate("created_at")).values("day", "page", "object_id")
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
