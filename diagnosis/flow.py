"""One step of the guided flow, from a query string to what the page shows.

The whole state lives in the URL, so back, forward, reload, bookmarks and sharing all work:

    /diagnose/?f=<flow id>&service=<option>&a=<option>&a=<option>&tried=<remedy id>&resolved=<id>

`forms.FlowQueryForm` validates the query; `screen()` asks `ranking` what comes next and
returns plain values for the template. Showing a step writes nothing: what a person does
(a fix worked, did not, contact support) is a POST handled by `feedback`.

The flow id is a random token signed by us (`new_flow_id`), so a recorded event can only
belong to a flow this site started: a forged or damaged id records nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.core.signing import BadSignature, TimestampSigner
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import ranking
from .ranking import (
    Answers,
    ChannelNode,
    FaqNode,
    Graph,
    OptionNode,
    Progress,
    QuestionNode,
    Ranking,
    TipNode,
)

FLOW_MAX_AGE = 2 * 24 * 3600  # seconds: an older flow id still navigates but records nothing
_signer = TimestampSigner(salt="diagnosis.flow")


def new_flow_id() -> str:
    return _signer.sign(secrets.token_hex(8))


def flow_token(flow_id: str) -> str | None:
    """The random token of a flow id we issued (and not too long ago), else None."""
    if not flow_id or len(flow_id) > 100:
        return None
    try:
        return _signer.unsign(flow_id, max_age=FLOW_MAX_AGE)
    except BadSignature:
        return None


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

    def after(self, action: str, remedy: int | None) -> FlowQuery:
        """The state after a person says a fix worked, did not, or asks for support."""
        if action == "resolved":
            return replace(self, resolved=remedy, escalate=False)
        if action in {"unresolved", "done"} and remedy is not None:
            return replace(self, tried=(*self.tried, remedy), resolved=None, escalate=False)
        return replace(self, escalate=True, resolved=None)

    def url(self, path: str, **changes: object) -> str:
        extra = changes.pop("change", None)
        pairs = self.params(**changes)
        if extra:
            pairs.append(("change", str(extra)))
        return f"{path}?{urlencode(pairs)}"


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
    remaining: int = 0  # the most questions still to come, this one included
    previous_url: str = ""  # the question before, with every answer kept
    question: QuestionNode | None = None
    options: tuple[OptionNode, ...] = ()
    selected: frozenset[str] = frozenset()
    error: str = ""
    hidden: list[tuple[str, str]] = field(default_factory=list)
    answered: list[AnsweredStep] = field(default_factory=list)
    ranking: Ranking | None = None
    progress: Progress | None = None
    tips: tuple[TipNode, ...] = ()
    faqs: tuple[FaqNode, ...] = ()  # one or two related to the current fix
    channels: tuple[ChannelNode, ...] = ()
    service_name: str = ""
    summary: str = ""
    # What showing this step reports through the page's beacon (`feedback`), never the GET.
    beacon: str = ""

    @property
    def notes(self) -> tuple[str, ...]:
        return self.answers.notes

    def url(self, **changes: object) -> str:
        return self.query.url(self.path, **changes)

    @property
    def fixes_used_up(self) -> bool:
        """Every fix was tried (not merely: there were none to try)."""
        return bool(
            self.progress and self.progress.exhausted and self.progress.tried and self.ranking
        )

    @property
    def back_url(self) -> str:
        return self.url(resolved=None, escalate=False)

    @property
    def state(self) -> list[tuple[str, str]]:
        """The hidden fields of the answer forms: the flow as it stands on this step."""
        return self.query.params(resolved=None, escalate=False)

    @property
    def beacon_data(self) -> str:
        """What the page's script posts to the beacon once the step is shown."""
        if not self.beacon:
            return ""
        # The answers only: the same for every fix tried, so the page reports the result once.
        return urlencode([("event", self.beacon), *self.query.params(tried=(), resolved=None)])


def _answered_steps(
    graph: Graph, query: FlowQuery, answers: Answers, path: str, upto: QuestionNode | None
) -> list[AnsweredStep]:
    steps = []
    for question in ranking.visible_questions(graph, answers):
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
    visible = ranking.visible_questions(graph, answers)
    step = visible.index(question) + 1 if question in visible else 1
    remaining = ranking.remaining_steps(graph, answers, reopen=question)
    answered = _answered_steps(graph, query, answers, path, question)
    options = tuple(
        o
        for o in question.options
        if question.is_service or ranking.applies_to_service(o.services, answers.service)
    )
    selected = frozenset(o.slug for o in answers.for_question(question))
    error = ""
    if query.asked == question.slug and not selected:
        error = _("Choose an answer, then press “Next”.")
    hidden = [("f", query.flow_id)]
    if not question.is_service and answers.service_option:
        hidden.append(("service", answers.service_option.slug))
    hidden += [("a", o.slug) for o in answers.chosen if o.question != question.slug]
    hidden.append(("q", question.slug))
    # Reported once, when the flow gets past choosing a service.
    beacon = "started" if answers.service_option and step == 2 else ""
    return Screen(
        kind="question",
        query=query,
        answers=answers,
        path=path,
        heading=question.text,
        step=step,
        total=step - 1 + remaining,
        remaining=remaining,
        previous_url=answered[-1].change_url if answered else "",
        question=question,
        options=options,
        selected=selected,
        error=error,
        hidden=hidden,
        answered=answered,
        beacon=beacon,
    )


def summary_text(screen: Screen) -> str:
    """A summary to paste into Amazon's contact form: what the person answered and the steps they
    marked, in order. Never holds e-mail, password or code, nor causes they did not reach."""
    separator = pgettext("list separator", ", ")
    lines = [
        _("[Summary of my login problem]"),
        _("Service: %(service)s") % {"service": screen.service_name or _("Not sure")},
    ]
    for step in screen.answered:
        if step.question.is_service:
            continue
        lines.append(
            _("%(question)s → %(answers)s")
            % {"question": step.question.text, "answers": separator.join(step.labels)}
        )
    marked = screen.progress.tried if screen.progress else ()
    if marked:
        lines.append(_("What I did (in order):"))
        for i, remedy in enumerate(marked, 1):
            if remedy.action:
                line = _("%(number)s. %(step)s → done")
            else:
                line = _("%(number)s. %(step)s → did not get me logged in")
            lines.append(line % {"number": i, "step": remedy.title})
    else:
        lines.append(_("What I tried: nothing yet"))
    lines.append(
        _(
            "* My password and verification codes are not in this summary. Do not give them "
            "when you contact support either."
        )
    )
    return "\n".join(lines)


def screen(
    graph: Graph, query: FlowQuery, path: str, learned: ranking.Learned | None = None
) -> Screen:
    """The step for `query`; `learned` is the order of fixes learned from outcomes
    (`learning.orders(graph)` on the site; None: the staff order)."""
    answers = ranking.interpret(graph, query.service, query.answers)
    if query.change:
        target = graph.question(query.change)
        visible = ranking.visible_questions(graph, answers)
        if target is not None and target in visible:
            return _question_screen(graph, query, answers, target, path)
    question = ranking.next_question(graph, answers)
    if question is not None:
        return _question_screen(graph, query, answers, question, path)

    ranked = ranking.rank_answers(graph, answers, learned)
    progress = ranking.progress(ranked, query.tried, query.resolved)
    service = graph.services.get(answers.service or "")
    common = {
        "query": query,
        "answers": answers,
        "path": path,
        "ranking": ranked,
        "progress": progress,
        "answered": _answered_steps(graph, query, answers, path, None),
        "service_name": service.name if service else "",
    }
    if progress.resolved is not None:
        cause = graph.cause(progress.resolved.cause)
        return Screen(
            kind="resolved",
            heading=_("Glad that worked"),
            tips=cause.tips if cause else (),
            **common,  # type: ignore[arg-type]
        )
    # Support once the fixes are used up; a result of checklists alone stays, with its button.
    if query.escalate or (progress.exhausted and ranked.fixes):
        if service:
            channels = graph.channels.get(service.slug, ())
        else:
            channels = tuple(c for s in graph.services for c in graph.channels.get(s, ()))
        result = Screen(
            kind="escalate",
            heading=_("Contact official support"),
            channels=channels,
            **common,  # type: ignore[arg-type]
        )
        result.summary = summary_text(result)
        return result
    current = progress.current_cause
    return Screen(
        kind="result",
        heading=_("Possible causes and fixes"),
        beacon="answered",
        faqs=current.cause.faqs[:2] if current else (),
        **common,  # type: ignore[arg-type]
    )
