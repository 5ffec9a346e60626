"""Anonymous outcomes of the guided flow, for the analytics to come.

Only the random token of a flow id that this site issued (`diagnosis.flow.flow_token`) ties the
events of one person's flow together: no IP address, no user, no cookie. Each event is stored
once per flow (a unique constraint), so repeats do not count twice, and a flow holds at most
`MAX_EVENTS` rows, so a crafted request cannot fill the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .models import FlowEvent

MAX_EVENTS = 60  # a flow's started, answered, resolved or escalated, and the fixes it tried

Kind = FlowEvent.Kind


def record(
    flow_token: str, service: str | None, answers: Sequence[str], events: Iterable[tuple[str, str]]
) -> int:
    """Store the events not yet stored for this flow; returns how many rows were written."""
    wanted = list(dict.fromkeys(events))
    if not wanted:
        return 0
    existing = set(FlowEvent.objects.filter(flow_id=flow_token).values_list("kind", "key"))
    room = MAX_EVENTS - len(existing)
    new = [e for e in wanted if e not in existing][: max(room, 0)]
    rows = [
        FlowEvent(
            flow_id=flow_token,
            kind=kind,
            key=key,
            service=service or "",
            answers=list(answers) if kind in {Kind.ANSWERED, Kind.ESCALATED} else [],
        )
        for kind, key in new
    ]
    if rows:
        FlowEvent.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
