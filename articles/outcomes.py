"""Anonymous outcomes of the guided flow, for the analytics to come.

Only a random flow id ties the events of one person's flow together: no IP address, no user, no
cookie. Each event is stored once per flow (a unique constraint), so reloads and back/forward do
not count twice; one INSERT per step.
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import FlowEvent


def record(
    flow_id: str, service: str | None, answers: Iterable[str], events: Iterable[tuple[str, str]]
) -> None:
    answer_list = list(answers)
    rows = [
        FlowEvent(
            flow_id=flow_id,
            kind=kind,
            key=key,
            service=service or "",
            answers=answer_list
            if kind in {FlowEvent.Kind.ANSWERED, FlowEvent.Kind.ESCALATED}
            else [],
        )
        for kind, key in dict.fromkeys(events)
    ]
    if rows:
        FlowEvent.objects.bulk_create(rows, ignore_conflicts=True)
