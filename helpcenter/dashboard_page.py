"""The outcome dashboard page (`/admin/dashboard/`): the figures of `feedback.dashboard` for a
date range, each table with a chart (`feedback.charts`) and a CSV download of the same rows."""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.http import urlencode

from diagnosis import graph as flowgraph
from diagnosis import learning
from feedback import charts
from feedback import dashboard as figures


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def tables(
    span: figures.Span, found: dict[str, Any]
) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Every table: (header, rows), as shown and as downloaded."""
    stage_names = ["開始", "結果まで", "対処法を試した", "解決", "問い合わせへ"]
    services, causes = found["funnel"]
    zero, unopened = found["searches"]
    return {
        "services": (["サービス", *stage_names], [[r.label, *r.values()] for r in services]),
        "causes": (["原因", *stage_names], [[r.label, *r.values()] for r in causes]),
        "deflection": (
            ["期間の始まり", "結果まで", "解決", "問い合わせなしで解決した割合"],
            [
                [b.start.isoformat(), b.answered, b.resolved, _pct(b.share)]
                for b in found["deflection"]
            ],
        ),
        "remedies": (
            ["原因", "対処法", "文面", "試した数", "解決した数", "解決率", "95%区間"],
            [
                [
                    r.cause,
                    r.title,
                    "現在" if r.current else "以前の文面",
                    r.tries,
                    r.successes,
                    _pct(r.rate),
                    f"{r.low:.0%}〜{r.high:.0%}",
                ]
                for r in found["remedies"]
            ],
        ),
        "votes": (
            ["ページ", "はい", "いいえ", "コメント", "未対応のコメント"],
            [[r.page, r.yes, r.no, r.comments, r.unhandled] for r in found["votes"]],
        ),
        "zero": (
            ["検索語", "検索回数", "結果0件の回数"],
            [[r.query, r.searches, r.count] for r in zero],
        ),
        "unopened": (
            ["検索語", "検索回数", "結果があった回数"],
            [[r.query, r.searches, r.count] for r in unopened],
        ),
        "orders": (["原因", "スタッフの順番", "学んだ順番（今の記録から）", "理由"], _orders()),
    }


def _orders() -> list[list[Any]]:
    """Each cause with fixes to order: the staff's order beside the learned one (all time)."""
    evidence = learning.stats()
    rows = []
    for cause in flowgraph.current().causes:
        if len(cause.remedies) < 2:
            continue
        found = learning.places(cause, evidence)
        moved = [p for p in found if p.learned != p.staff]
        rows.append(
            [
                f"{cause.code} {cause.title}",
                " → ".join(r.title for r in cause.remedies),
                " → ".join(p.remedy.title for p in found),
                " ".join(f"「{p.remedy.title}」: {p.reason}" for p in moved)
                or "動いた対処法はありません。",
            ]
        )
    return rows


def figures_of(span: figures.Span) -> dict[str, Any]:
    """Each figure, computed once for the page (tables and charts share them)."""
    return {
        "funnel": figures.funnel(span),
        "deflection": figures.deflection(span),
        "remedies": figures.remedies(span),
        "votes": figures.votes(span),
        "searches": figures.searches(span),
    }


def _charts(
    found: dict[str, Any], data: dict[str, tuple[list[str], list[list[Any]]]]
) -> dict[str, charts.Chart]:
    total = data["services"][1][0]
    stage_names = data["services"][0][1:]
    remedies = [r for r in found["remedies"] if r.current][:15]
    deflection = found["deflection"]
    return {
        "funnel": charts.bars(
            "診断の流れ（全体）",
            [(n, v, f"{v:,}") for n, v in zip(stage_names, total[1:], strict=True)],
        ),
        "deflection": charts.bars(
            "問い合わせなしで解決した割合",
            [(b.start.isoformat(), b.share or 0, _pct(b.share)) for b in deflection],
            top=1,
        ),
        "remedies": charts.intervals(
            "対処法ごとの解決率と95%区間",
            [
                (f"{r.cause} {r.title}", r.rate, r.low, r.high, f"{r.successes}/{r.tries}")
                for r in remedies
            ],
        ),
        "votes": charts.bars(
            "記事ごとの「はい」の数",
            [(row[0], row[1], f"{row[1]}/{row[1] + row[2]}") for row in data["votes"][1][:15]],
        ),
        "zero": charts.bars(
            "結果0件の検索", [(r[0], r[2], f"{r[2]:,}") for r in data["zero"][1][:15]]
        ),
    }


def render(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    form = figures.RangeForm(request.GET)  # no dates: the last 30 days
    if not form.is_valid():
        context.update(title="成果のダッシュボード", form=form)
        return TemplateResponse(request, "admin/dashboard.html", context, status=400)
    span = figures.Span(form.cleaned_data["start"], form.cleaned_data["end"])
    computed = figures_of(span)
    found = tables(span, computed)
    wanted = request.GET.get("table")
    if request.GET.get("format") == "csv" and wanted in found:
        return _csv(wanted, span, *found[wanted])
    query = {"start": span.start.isoformat(), "end": span.end.isoformat()}
    context.update(
        title="成果のダッシュボード",
        form=form if request.GET else figures.RangeForm(initial=query),
        span=span,
        tables={
            name: {
                "header": header,
                "rows": rows,
                "csv": "?" + urlencode({**query, "table": name, "format": "csv"}),
            }
            for name, (header, rows) in found.items()
        },
        charts=_charts(computed, found),
    )
    return TemplateResponse(request, "admin/dashboard.html", context)


def _csv(name: str, span: figures.Span, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{name}_{span.start:%Y%m%d}-{span.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # a byte order mark: Excel then reads the Japanese as UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response
