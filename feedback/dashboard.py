"""The outcome dashboard's figures, for a date range. Flow figures come from the daily counts
kept as events are stored (`counts.py`), never from the raw events, so a year's range stays
fast and the retention roll-up (`rollup.py`) changes no total; votes from the raw votes plus
their daily counts, kept the same way.

What each figure counts (every count is of events, which are stored once per flow, kind and
fix, so an event count is a count of flows):
- funnel: flows started, that reached a result (answered), that tried a fix (flows with a fix
  tried, done or resolved, counted per day and cause), resolved, escalated to support;
- deflection: of the flows that reached a result, the share resolved (without support);
- each fix's record per version of its text: tries (tried or resolved) and successes, with a
  95 % Wilson interval; a version that is no longer the fix's text is shown apart;
- votes and comments per page; searches that found nothing; searches whose results nobody
  opened.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from articles.models import FAQ, Cause, PreventionTip, Remedy, Service

from . import counts
from .models import DailyFlowCount, DailyVoteCount, FlowEvent, SearchLog, Vote

Kind = FlowEvent.Kind
TRIED_ANY = counts.TRIED_ANY  # flows that tried a fix, per day, service and cause
STAGES = ("started", "answered", "tried", "resolved", "escalated")
MAX_DAYS = 3 * 366
WEEKLY_AFTER = 62  # days: longer ranges show deflection per week


class RangeForm(forms.Form):
    start = forms.DateField(label="開始日", required=False)
    end = forms.DateField(label="終了日", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=29)
        if start > end:
            raise forms.ValidationError("開始日は終了日より前にしてください。")
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError("期間は3年以内にしてください。")
        data.update(start=start, end=end)
        return data


@dataclass(frozen=True)
class Span:
    start: date
    end: date  # inclusive

    def counted(self) -> QuerySet[DailyFlowCount]:
        """The daily counts of flow events in the range (`counts.py`)."""
        return DailyFlowCount.objects.filter(day__gte=self.start, day__lte=self.end)


@dataclass(frozen=True)
class FunnelRow:
    label: str
    started: int
    answered: int
    tried: int
    resolved: int
    escalated: int

    def values(self) -> list[int]:
        return [self.started, self.answered, self.tried, self.resolved, self.escalated]


@dataclass(frozen=True)
class Bucket:
    start: date
    answered: int
    resolved: int

    @property
    def share(self) -> float | None:
        return self.resolved / self.answered if self.answered else None


@dataclass(frozen=True)
class RemedyRow:
    cause: str
    title: str
    current: bool  # the fix's text now; False: 以前の文面
    tries: int
    successes: int
    low: float
    high: float

    @property
    def rate(self) -> float:
        return self.successes / self.tries if self.tries else 0.0


@dataclass(frozen=True)
class VoteRow:
    page: str
    yes: int
    no: int
    comments: int
    unhandled: int


@dataclass(frozen=True)
class SearchRow:
    query: str
    searches: int
    count: int  # zero results, or searches with results


def wilson(successes: int, tries: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a success rate."""
    if not tries:
        return 0.0, 1.0
    p = successes / tries
    centre = p + z * z / (2 * tries)
    spread = z * math.sqrt(p * (1 - p) / tries + z * z / (4 * tries * tries))
    scale = 1 + z * z / tries
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


def _stage_counts(span: Span) -> dict[tuple[str, str], dict[str, int]]:
    """{(service, cause): {stage: count}}, from the daily counts."""
    out: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
    kinds = {
        Kind.STARTED: "started",
        Kind.ANSWERED: "answered",
        Kind.RESOLVED: "resolved",
        Kind.ESCALATED: "escalated",
        TRIED_ANY: "tried",
    }
    rows = span.counted().filter(kind__in=list(kinds)).values("service", "cause", "kind")
    for row in rows.annotate(n=Sum("count")):
        out[row["service"], row["cause"]][kinds[row["kind"]]] += row["n"] or 0
    return out


def funnel(span: Span) -> tuple[list[FunnelRow], list[FunnelRow]]:
    """The funnel per service, then per cause (a total row first in each)."""
    services = dict(Service.objects.values_list("slug", "name"))
    causes = {
        slug: f"{code} {title}"
        for slug, code, title in Cause.objects.values_list("slug", "code", "title")
    }
    tables = []
    both = _stage_counts(span)
    for at, names, blank in ((0, services, "（未選択）"), (1, causes, "（結果の前）")):
        counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
        for group, stages in both.items():
            for stage, n in stages.items():
                counts[group[at]][stage] += n
        rows = [
            FunnelRow(names.get(key, key) or blank, *(c[s] for s in STAGES))
            for key, c in sorted(
                counts.items(), key=lambda kv: -kv[1]["started"] - kv[1]["answered"]
            )
        ]
        total = FunnelRow("合計", *(sum(r.values()[i] for r in rows) for i in range(len(STAGES))))
        tables.append([total, *rows])
    return tables[0], tables[1]


def deflection(span: Span) -> list[Bucket]:
    weekly = (span.end - span.start).days >= WEEKLY_AFTER
    counts: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    kinds = [Kind.ANSWERED, Kind.RESOLVED]
    for row in span.counted().filter(kind__in=kinds).values("day", "kind").annotate(n=Sum("count")):
        counts[row["day"]][0 if row["kind"] == Kind.ANSWERED else 1] += row["n"] or 0
    buckets: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    day = span.start
    while day <= span.end:
        key = day - timedelta(days=day.weekday()) if weekly else day
        buckets[key][0] += counts[day][0]
        buckets[key][1] += counts[day][1]
        day += timedelta(days=1)
    return [Bucket(start, a, r) for start, (a, r) in sorted(buckets.items())]


def remedies(span: Span) -> list[RemedyRow]:
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    kinds = [Kind.TRIED, Kind.RESOLVED]
    for row in (
        span.counted()
        .filter(kind__in=kinds)
        .values("key", "version", "kind")
        .annotate(n=Sum("count"))
    ):
        n = row["n"] or 0
        tally[row["key"], row["version"]][0] += n
        tally[row["key"], row["version"]][1] += n if row["kind"] == Kind.RESOLVED else 0
    ids = {int(key) for key, _ in tally if key.isdigit()}
    found = {r.pk: r for r in Remedy.objects.filter(pk__in=ids).select_related("cause")}
    rows = []
    for (key, ver), (tries, successes) in tally.items():
        remedy = found.get(int(key)) if key.isdigit() else None
        if remedy is None:
            continue
        low, high = wilson(successes, tries)
        rows.append(
            RemedyRow(
                str(remedy.cause.code),
                remedy.title,
                ver == remedy.version,
                tries,
                successes,
                low,
                high,
            )
        )
    return sorted(rows, key=lambda r: (r.cause, not r.current, -r.tries))


def votes(span: Span) -> list[VoteRow]:
    tally: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    counted = DailyVoteCount.objects.filter(day__gte=span.start, day__lte=span.end)
    for row in counted.values("page", "object_id").annotate(
        yes=Sum("helpful"), no=Sum("unhelpful"), notes=Sum("comments")
    ):
        t = tally[row["page"], row["object_id"]]
        t[0] += row["yes"] or 0
        t[1] += row["no"] or 0
        t[2] += row["notes"] or 0
    waiting = Vote.objects.filter(day__gte=span.start, day__lte=span.end, handled=False)
    for row in waiting.exclude(comment="").values("page", "object_id").annotate(n=Count("id")):
        tally[row["page"], row["object_id"]][3] += row["n"]
    names: dict[tuple[str, int], str] = {}
    for kind, model in (("cause", Cause), ("faq", FAQ), ("tip", PreventionTip)):
        wanted = [pk for k, pk in tally if k == kind]
        names |= {(kind, pk): str(obj) for pk, obj in model.objects.in_bulk(wanted).items()}
    rows = [
        VoteRow(names.get(key, f"{key[0]} {key[1]}（削除済み）"), *t) for key, t in tally.items()
    ]
    return sorted(rows, key=lambda r: -(r.yes + r.no))


def searches(span: Span, limit: int = 20) -> tuple[list[SearchRow], list[SearchRow]]:
    logs = SearchLog.objects.filter(day__gte=span.start, day__lte=span.end).values("query")
    totals = logs.annotate(s=Sum("searches"), z=Sum("zero_results"), c=Sum("clicks"))
    zero = [
        SearchRow(r["query"], r["s"], r["z"])
        for r in totals.filter(z__gt=0).order_by("-z", "query")[:limit]
    ]
    unopened = [
        SearchRow(r["query"], r["s"], r["s"] - r["z"])
        for r in totals.filter(c=0, s__gt=0).order_by("-s", "query")
        if r["s"] > r["z"]
    ][:limit]
    return zero, unopened
