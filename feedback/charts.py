"""Server-rendered charts for the dashboard: horizontal bars, optionally with an interval, as
geometry the template draws in SVG (no script). Every chart has a table beside it with the same
numbers, so nothing is only in the picture."""

from __future__ import annotations

from dataclasses import dataclass

ROW = 22  # px per bar
LABEL = 260  # px for the labels
PLOT = 360  # px for the bars
TEXT = 90  # px for the value after the bar


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as written after the bar
    y: int
    width: float  # px
    low: float | None = None  # px, the interval's ends (None: no interval)
    high: float | None = None


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    height: int
    x0: int = LABEL
    width: int = LABEL + PLOT + TEXT
    plot: int = PLOT


def bars(title: str, items: list[tuple[str, float, str]], top: float | None = None) -> Chart:
    """One bar per (label, value, text); bars scale to `top` (default: the largest value)."""
    top = top or max((value for _, value, _ in items), default=0) or 1
    drawn = tuple(
        Bar(_short(label), text, ROW * (i + 1), PLOT * max(value, 0) / top)
        for i, (label, value, text) in enumerate(items)
    )
    return Chart(title, drawn, ROW * (len(items) + 1) + ROW // 2)


def intervals(title: str, items: list[tuple[str, float, float, float, str]]) -> Chart:
    """Rates from 0 to 1 as a dot (the bar's end) with its interval drawn across it."""
    drawn = tuple(
        Bar(_short(label), text, ROW * (i + 1), PLOT * rate, PLOT * low, PLOT * high)
        for i, (label, rate, low, high, text) in enumerate(items)
    )
    return Chart(title, drawn, ROW * (len(items) + 1) + ROW // 2)


def _short(label: str, limit: int = 20) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
