"""One step of the guided flow, from a query string to what the page shows.

The whole state lives in the URL, so back, forward, reload, bookmarks and sharing all work:

    /diagnose/?f=<flow id>&service=<option>&a=<option>&a=<option>&tried=<remedy id>&resolved=<id>

`parse()` validates the query (malformed values raise `BadQuery`, shown as a Japanese 400);
`screen()` asks `diagnosis` what comes next and returns plain values for the template.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace
from typing import Protocol
from urllib.parse import urlencode

from . import diagnosis
from .diagnosis import (
    Answers,
    ChannelNode,
    Graph,
    OptionNode,
    Progress,
    QuestionNode,
    Ranking,
    RemedyNode,
    TipNode,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
FLOW_ID = re.compile(r"^[0-9a-f]{8,32}$")
REMEDY_ID = re.compile(r"^[0-9]{1,9}$")
MAX_ANSWERS = 40
MAX_TRIED = 200


class QueryParams(Protocol):
    def getlist(self, key: str) -> list[str]: ...


class BadQuery(ValueError):
    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def new_flow_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class FlowQuery:
    flow_id: str
    service: str | None = None
    answers: tuple[str, ...] = ()
    asked: str | None = None  # the question a submitted form answered
    change: str | None = None  # the question the person wants to answer again
    tried: tuple[int, ...] = ()
    resolved: int | None = None
    escalate: bool = False

    def params(self, **changes: object) -> list[tuple[str, str]]:
        """The state as query parameters (without the one-off `q` and `change`)."""
        state = replace(self, **changes)  # type: ignore[arg-type]
        pairs: list[tuple[str, str]] = [("f", state.flow_id)]
        if state.service:
            pairs.append(("service", state.service))
        pairs += [("a", a) for a in state.answers]
        pairs += [("tried", str(t)) for t in state.tried]
        if state.resolved is not None:
            pairs.append(("resolved", str(state.resolved)))
        if state.escalate:
            pairs.append(("escalate", "1"))
        return pairs

    def url(self, path: str, **changes: object) -> str:
        extra = changes.pop("change", None)
        pairs = self.params(**changes)
        if extra:
            pairs.append(("change", str(extra)))
        return f"{path}?{urlencode(pairs)}"


def _one(params: QueryParams, name: str) -> str | None:
    values = [v.strip() for v in params.getlist(name) if v.strip()]
    if len(values) > 1 and len(set(values)) > 1:
        raise BadQuery(name, f"「{name}」が複数あります。")
    return values[0] if values else None


def _slug(name: str, value: str | None) -> str | None:
    if value is not None and not SLUG.match(value):
        raise BadQuery(name, f"「{name}」の値「{value[:40]}」は読み取れません。")
    return value


def parse(params: QueryParams) -> FlowQuery:
    flow_id = _one(params, "f")
    if flow_id is not None and not FLOW_ID.match(flow_id):
        flow_id = None  # a damaged id only loses the link between this step and the last
    answers = [v.strip() for v in params.getlist("a") if v.strip()]
    if len(answers) > MAX_ANSWERS:
        raise BadQuery("a", "回答が多すぎます。")
    for value in answers:
        _slug("a", value)
    tried_raw = [v.strip() for v in params.getlist("tried") if v.strip()]
    if len(tried_raw) > MAX_TRIED:
        raise BadQuery("tried", "試した対処法が多すぎます。")
    for value in tried_raw:
        if not REMEDY_ID.match(value):
            raise BadQuery("tried", f"「tried」の値「{value[:40]}」は読み取れません。")
    resolved = _one(params, "resolved")
    if resolved is not None and not REMEDY_ID.match(resolved):
        raise BadQuery("resolved", f"「resolved」の値「{resolved[:40]}」は読み取れません。")
    escalate = _one(params, "escalate")
    return FlowQuery(
        flow_id=flow_id or new_flow_id(),
        service=_slug("service", _one(params, "service")),
        answers=tuple(dict.fromkeys(answers)),
        asked=_slug("q", _one(params, "q")),
        change=_slug("change", _one(params, "change")),
        tried=tuple(dict.fromkeys(int(v) for v in tried_raw)),
        resolved=int(resolved) if resolved is not None else None,
        escalate=escalate in {"1", "true", "yes"},
    )


@dataclass(frozen=True)
class AnsweredStep:
    question: QuestionNode
    labels: tuple[str, ...]
    change_url: str


@dataclass
class Screen:
    """What one step of the flow shows. `kind` is question, result, resolved or escalate."""

    kind: str
    query: FlowQuery
    answers: Answers
    path: str
    heading: str
    step: int = 0
    total: int = 0
    question: QuestionNode | None = None
    options: tuple[OptionNode, ...] = ()
    selected: frozenset[str] = frozenset()
    error: str = ""
    hidden: list[tuple[str, str]] = field(default_factory=list)
    answered: list[AnsweredStep] = field(default_factory=list)
    ranking: Ranking | None = None
    progress: Progress | None = None
    tips: tuple[TipNode, ...] = ()
    channels: tuple[ChannelNode, ...] = ()
    service_name: str = ""
    summary: str = ""
    events: list[tuple[str, str]] = field(default_factory=list)  # (kind, key) to record

    @property
    def notes(self) -> tuple[str, ...]:
        return self.answers.notes

    def url(self, **changes: object) -> str:
        return self.query.url(self.path, **changes)

    @property
    def escalate_url(self) -> str:
        return self.url(escalate=True, resolved=None)

    @property
    def back_url(self) -> str:
        return self.url(resolved=None, escalate=False)

    def feedback_hidden(self, remedy: RemedyNode, resolved: bool) -> list[tuple[str, str]]:
        if resolved:
            return self.query.params(resolved=remedy.id, escalate=False)
        return self.query.params(tried=(*self.query.tried, remedy.id), escalate=False)


def _answered_steps(
    graph: Graph, query: FlowQuery, answers: Answers, path: str, upto: QuestionNode | None
) -> list[AnsweredStep]:
    steps = []
    for question in diagnosis.visible_questions(graph, answers):
        if question is upto:
            break
        chosen = answers.for_question(question)
        if chosen:
            steps.append(
                AnsweredStep(
                    question,
                    tuple(o.label for o in chosen),
                    query.url(path, tried=(), resolved=None, escalate=False, change=question.slug),
                )
            )
    return steps


def _question_screen(
    graph: Graph, query: FlowQuery, answers: Answers, question: QuestionNode, path: str
) -> Screen:
    visible = diagnosis.visible_questions(graph, answers)
    step = visible.index(question) + 1 if question in visible else 1
    options = tuple(
        o
        for o in question.options
        if question.is_service or diagnosis.applies_to_service(o.services, answers.service)
    )
    selected = frozenset(o.slug for o in answers.for_question(question))
    error = ""
    if query.asked == question.slug and not selected:
        error = "選択肢を選んでから「次へ」を押してください。"
    hidden = [("f", query.flow_id)]
    if not question.is_service and answers.service_option:
        hidden.append(("service", answers.service_option.slug))
    hidden += [("a", o.slug) for o in answers.chosen if o.question != question.slug]
    hidden.append(("q", question.slug))
    # Recorded once, when the flow gets past choosing a service; later questions write nothing.
    events = [("started", "")] if answers.service_option and step == 2 else []
    return Screen(
        kind="question",
        query=query,
        answers=answers,
        path=path,
        heading=question.text,
        step=step,
        total=max(step, diagnosis.expected_steps(graph, answers)),
        question=question,
        options=options,
        selected=selected,
        error=error,
        hidden=hidden,
        answered=_answered_steps(graph, query, answers, path, question),
        events=events,
    )


def summary_text(screen: Screen) -> str:
    """A summary to paste into Amazon's contact form. Never holds e-mail, password or code."""
    lines = ["【ログインできない状況のまとめ】", f"サービス: {screen.service_name or 'わからない'}"]
    for step in screen.answered:
        if step.question.is_service:
            continue
        lines.append(f"{step.question.text} → {'、'.join(step.labels)}")
    if screen.progress and screen.progress.tried:
        lines.append("試したこと（試した順）:")
        for i, remedy in enumerate(screen.progress.tried, 1):
            cause = (
                next(
                    (
                        rc.cause.title
                        for rc in screen.ranking.causes
                        if rc.cause.slug == remedy.cause
                    ),
                    "",
                )
                if screen.ranking
                else ""
            )
            lines.append(f"{i}. {remedy.title}（{cause}）→ 解決せず")
    else:
        lines.append("試したこと: まだありません")
    lines.append(
        "※パスワードや確認コードはここに書いていません。問い合わせでも伝えないでください。"
    )
    return "\n".join(lines)


def screen(graph: Graph, query: FlowQuery, path: str) -> Screen:
    answers = diagnosis.interpret(graph, query.service, query.answers)
    if query.change:
        target = graph.question(query.change)
        visible = diagnosis.visible_questions(graph, answers)
        if target is not None and target in visible:
            return _question_screen(graph, query, answers, target, path)
    question = diagnosis.next_question(graph, answers)
    if question is not None:
        return _question_screen(graph, query, answers, question, path)

    ranking = diagnosis.rank_answers(graph, answers)
    progress = diagnosis.progress(ranking, query.tried, query.resolved)
    service = graph.services.get(answers.service or "")
    common = {
        "query": query,
        "answers": answers,
        "path": path,
        "ranking": ranking,
        "progress": progress,
        "answered": _answered_steps(graph, query, answers, path, None),
        "service_name": service.name if service else "",
    }
    events = [("started", ""), ("answered", "")]
    events += [("tried", str(r.id)) for r in progress.tried]
    if progress.resolved is not None:
        cause = graph.cause(progress.resolved.cause)
        return Screen(
            kind="resolved",
            heading="解決してよかったです",
            tips=cause.tips if cause else (),
            events=[*events, ("resolved", str(progress.resolved.id))],
            **common,  # type: ignore[arg-type]
        )
    if query.escalate or progress.exhausted:
        if service:
            channels = graph.channels.get(service.slug, ())
        else:
            channels = tuple(c for s in graph.services for c in graph.channels.get(s, ()))
        result = Screen(
            kind="escalate",
            heading="公式サポートに問い合わせる",
            channels=channels,
            events=[*events, ("escalated", "")],
            **common,  # type: ignore[arg-type]
        )
        result.summary = summary_text(result)
        return result
    return Screen(
        kind="result",
        heading="考えられる原因と対処法",
        events=events,
        **common,  # type: ignore[arg-type]
    )
