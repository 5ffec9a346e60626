"""Anonymous outcomes of the guided flow: for the dashboard, and for the order of fixes.

Only the random token of a flow id that this site issued (`diagnosis.flow.flow_token`) ties the
events of one person's flow together: no IP address, no user, no cookie. Each event is stored
once per flow (a unique constraint), so repeats do not count twice, and a flow holds at most
`MAX_EVENTS` rows, so a crafted request cannot fill the table.

Each event carries the cause shown first (or the remedy's cause) and, for a remedy, the version
of its text; a fix tried or resolved also counts in that version's `RemedyStat`, which
`diagnosis.learning` reads: success rates are kept as outcomes arrive, never counted per request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.db.models import F

from diagnosis.models import RemedyStat
from diagnosis.ranking import RemedyNode

from . import counts
from .models import FlowEvent

MAX_EVENTS = 60  # a flow's started, answered, resolved or escalated, and the fixes it tried

Kind = FlowEvent.Kind


def record(
    flow_token: str,
    service: str | None,
    answers: Sequence[str],
    events: Iterable[tuple[str, str]],
    cause: str = "",
    remedies: Mapping[str, RemedyNode] | None = None,
) -> int:
    """Store the events not yet stored for this flow; returns how many rows were written.
    `cause` is the cause shown first; `remedies` the remedies the step offered, by id."""
    remedies = remedies or {}
    wanted = list(dict.fromkeys(events))
    if not wanted:
        return 0
    stored = list(
        FlowEvent.objects.filter(flow_id=flow_token).values_list("kind", "key", "cause", "day")
    )
    existing = {(kind, key) for kind, key, _, _ in stored}
    earlier = {(flow_token, day, c) for kind, _, c, day in stored if kind in counts.FIXES}
    room = MAX_EVENTS - len(existing)
    new = [e for e in wanted if e not in existing][: max(room, 0)]
    rows = [
        FlowEvent(
            flow_id=flow_token,
            kind=kind,
            key=key,
            service=service or "",
            cause=remedies[key].cause if key in remedies else cause,
            version=remedies[key].version if key in remedies else "",
            answers=list(answers) if kind in {Kind.ANSWERED, Kind.ESCALATED} else [],
        )
        for kind, key in new
    ]
    if rows:
        FlowEvent.objects.bulk_create(rows, ignore_conflicts=True)
        counts.add(rows, earlier)
        _count(new, remedies)
    return len(rows)


def _count(events: list[tuple[str, str]], remedies: Mapping[str, RemedyNode]) -> None:
    """A fix tried (and not resolved) or resolved: one more try, and one more success."""
    for kind, key in events:
        remedy = remedies.get(key)
        if remedy is None or remedy.action or kind not in {Kind.TRIED, Kind.RESOLVED}:
            continue
        stat, _ = RemedyStat.objects.get_or_create(remedy_id=remedy.id, version=remedy.version)
        success = 1 if kind == Kind.RESOLVED else 0
        RemedyStat.objects.filter(pk=stat.pk).update(
            tries=F("tries") + 1, successes=F("successes") + success
        )
