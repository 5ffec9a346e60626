"""Fixes that learn from outcomes, with guard-rails.

Within a cause, the fixes are tried in the staff's order, blended with how often each one
actually got people back in:

- Evidence: `RemedyStat` (tries, successes) per remedy and version of its text, kept up to date
  by `feedback` as outcomes are recorded. Only the remedy's current version counts, so a remedy
  whose text changed starts afresh. The statistics are read in one query at most once a minute
  per process (`version.Timed`), never counted per request.
- Smoothing: each fix's success estimate is the mean of a Beta posterior whose prior is centred
  on the cause's pooled success rate (0.5 when nothing is known) with the weight of
  `PRIOR_TRIES` outcomes: a handful of outcomes barely moves an estimate; dozens do.
- Blending: starting from the staff order, a fix moves above the one before it only when it was
  tried at least `MIN_TRIES` times and its estimate is higher by at least `MARGIN` (repeated
  until nothing moves, so a clearly better fix can climb several places); otherwise the staff
  order stands.
- Never moved: the steps of an urgent cause (report a takeover, read the suspension notice),
  actions (things to do rather than fixes to try), and remedies staff pinned; the other fixes
  are reordered in the places left between them. `REMEDY_LEARNING = False` gives the staff order.

Answers still come first: a remedy the answers call for (`first_when`) is put first by
`ranking.ordered_remedies`, whatever was learned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings

from articles import version

from .ranking import CauseNode, Graph, Learned, RemedyNode

PRIOR_TRIES = 20.0  # the prior weighs as much as this many outcomes
MARGIN = 0.10  # how much better a fix must be estimated to pass the one before it
MIN_TRIES = 10  # and how many times it must have been tried, at least
MAX_AGE = 60.0  # seconds a process keeps the statistics before reading them again

Stats = Mapping[tuple[int, str], tuple[int, int]]  # (remedy id, version) -> (tries, successes)


@dataclass(frozen=True)
class Place:
    """One remedy of a cause: where staff put it, where learning puts it, and why."""

    remedy: RemedyNode
    staff: int  # 1-based
    learned: int  # 1-based
    tries: int
    successes: int
    estimate: float | None  # None: never moves
    reason: str


def _load() -> dict[tuple[int, str], tuple[int, int]]:
    from .models import RemedyStat

    return {
        (remedy, ver): (tries, successes)
        for remedy, ver, tries, successes in RemedyStat.objects.values_list(
            "remedy_id", "version", "tries", "successes"
        )
    }


_stats = version.Timed(_load, MAX_AGE)


def stats() -> Stats:
    return _stats.get()


def _fixed(cause: CauseNode, remedy: RemedyNode) -> str:
    """Why this remedy never moves ("" if it may)."""
    if cause.urgent:
        return "緊急の原因の手順は、順番を変えません。"
    if remedy.action:
        return "「行うこと」の手順は、順番を変えません。"
    if remedy.pinned:
        return "スタッフが順番を固定しています。"
    return ""


def places(cause: CauseNode, evidence: Stats) -> list[Place]:
    """The cause's remedies in the learned order, each with its staff place and the reason."""
    remedies = list(cause.remedies)
    counts = {r.id: evidence.get((r.id, r.version), (0, 0)) for r in remedies}
    movable = [r for r in remedies if not _fixed(cause, r)]
    pooled_tries = sum(counts[r.id][0] for r in movable)
    pooled = sum(counts[r.id][1] for r in movable) / pooled_tries if pooled_tries else 0.5

    def estimate(r: RemedyNode) -> float:
        tries, successes = counts[r.id]
        return (pooled * PRIOR_TRIES + successes) / (PRIOR_TRIES + tries)

    order = list(movable)
    passed: dict[int, list[RemedyNode]] = {r.id: [] for r in movable}
    moved = True
    while moved:
        moved = False
        for i in range(1, len(order)):
            above, below = order[i - 1], order[i]
            enough = counts[below.id][0] >= MIN_TRIES
            if enough and estimate(below) >= estimate(above) + MARGIN:
                order[i - 1], order[i] = below, above
                passed[below.id].append(above)
                moved = True
    slots = iter(order)
    final = [r if _fixed(cause, r) else next(slots) for r in remedies]
    staff_place = {r.id: i + 1 for i, r in enumerate(remedies)}
    out = []
    for i, r in enumerate(final):
        tries, successes = counts[r.id]
        why = _fixed(cause, r)
        value = None if why else estimate(r)
        if value is not None:
            record = f"{tries}回中{successes}回解決（推定{value:.0%}）" if tries else "記録なし"
            names = "、".join(f"「{p.title}」（推定{estimate(p):.0%}）" for p in passed[r.id])
            if names and i + 1 < staff_place[r.id]:
                why = f"{record}。{names}より{MARGIN:.0%}以上高いため、上へ。"
            elif i + 1 > staff_place[r.id]:
                why = f"{record}。下にあった手順の推定がはっきり高いため、下へ。"
            elif tries:
                why = f"{record}。はっきりした差がないため、スタッフの順番のまま。"
            else:
                why = f"{record}。スタッフの順番のまま。"
        out.append(Place(r, staff_place[r.id], i + 1, tries, successes, value, why))
    return out


def orders(graph: Graph) -> Learned | None:
    """Each cause's remedy ids in the learned order (None when learning is off)."""
    if not settings.REMEDY_LEARNING:
        return None
    evidence = stats()
    memo = _memo  # (graph, statistics, orders): computed once for each pair
    if memo and memo[0] is graph and memo[1] is evidence:
        return memo[2]
    learned = {
        c.slug: tuple(p.remedy.id for p in places(c, evidence))
        for c in graph.causes
        if len(c.remedies) > 1
    }
    _memo[:] = [graph, evidence, learned]
    return learned


_memo: list = []
