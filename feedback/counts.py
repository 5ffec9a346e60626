"""Daily counts of flow events, kept as events are stored, so the dashboard never aggregates raw
events: a year of them is a million rows, the year's counts a few tens of thousands.

`DailyFlowCount` holds, per local day, kind, service, cause, fix and fix version, how many events
were stored; and per day, service and cause (kind `tried_any`), how many flows tried a fix.
`add()` counts events as `outcomes.record` stores them (and, through a signal, any event created
one at a time); `rebuild()` counts all stored events again (a migration, the benchmark). Votes
likewise: `DailyVoteCount` per day and page, kept by a signal (`add_vote`). The retention
roll-up (`rollup.py`) then only deletes old raw rows: their counts are already here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Count, F, Q

TRIED_ANY = "tried_any"
FIXES = ("tried", "done", "resolved")
FIELDS = ("day", "kind", "service", "cause", "key", "version")


def add(events: Iterable[Any], earlier: set[tuple[str, date, str]] | None = None) -> None:
    """Count newly stored events. `earlier`: (flow, day, cause) of fix events stored before, so
    a flow that tried a fix is counted once a day and cause."""
    from .models import DailyFlowCount

    seen = set(earlier or ())
    tally: Counter[tuple[Any, ...]] = Counter()
    for e in events:
        tally[e.day, e.kind, e.service, e.cause, e.key, e.version] += 1
        if e.kind in FIXES and (e.flow_id, e.day, e.cause) not in seen:
            seen.add((e.flow_id, e.day, e.cause))
            tally[e.day, TRIED_ANY, e.service, e.cause, "", ""] += 1
    for key, n in tally.items():
        row, _ = DailyFlowCount.objects.get_or_create(**dict(zip(FIELDS, key, strict=True)))
        DailyFlowCount.objects.filter(pk=row.pk).update(count=F("count") + n)


def rebuild(flow_event: Any = None, daily: Any = None) -> int:
    """Count every stored event again (the models may be a migration's); returns rows written."""
    if flow_event is None or daily is None:
        from .models import DailyFlowCount, FlowEvent

        flow_event, daily = FlowEvent, DailyFlowCount
    daily.objects.all().delete()
    rows = [
        daily(**{f: r[f] for f in FIELDS}, count=r["n"])
        for r in flow_event.objects.values(*FIELDS).annotate(n=Count("id"))
    ]
    fixes = flow_event.objects.filter(kind__in=FIXES).values("day", "service", "cause")
    for r in fixes.annotate(n=Count("flow_id", distinct=True)):
        where = {"day": r["day"], "service": r["service"], "cause": r["cause"]}
        rows.append(daily(**where, kind=TRIED_ANY, key="", version="", count=r["n"]))
    daily.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def add_vote(vote: Any, *, new_vote: bool, new_comment: bool) -> None:
    """Count a vote as it is stored (and its comment as it is added) into `DailyVoteCount`."""
    from .models import DailyVoteCount

    row, _ = DailyVoteCount.objects.get_or_create(
        day=vote.day, page=vote.page, object_id=vote.object_id
    )
    DailyVoteCount.objects.filter(pk=row.pk).update(
        helpful=F("helpful") + int(new_vote and vote.helpful),
        unhelpful=F("unhelpful") + int(new_vote and not vote.helpful),
        comments=F("comments") + int(new_comment),
    )


def rebuild_votes(vote: Any = None, daily: Any = None) -> int:
    """Count every stored vote again (the models may be a migration's); returns rows written."""
    if vote is None or daily is None:
        from .models import DailyVoteCount, Vote

        vote, daily = Vote, DailyVoteCount
    daily.objects.all().delete()
    grouped = vote.objects.values("day", "page", "object_id").annotate(
        yes=Count("id", filter=Q(helpful=True)),
        no=Count("id", filter=Q(helpful=False)),
        notes=Count("id", filter=~Q(comment="")),
    )
    rows = [
        daily(
            day=r["day"],
            page=r["page"],
            object_id=r["object_id"],
            helpful=r["yes"],
            unhelpful=r["no"],
            comments=r["notes"],
        )
        for r in grouped
    ]
    daily.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
