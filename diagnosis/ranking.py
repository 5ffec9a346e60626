"""The guided diagnosis, as pure functions over an in-memory flow graph.

`rank()` turns a service and a set of answers into a ranked list of causes, each with its score
and the answers that led to it. Deterministic; ties broken by the staff's order. Signs of a
takeover or a suspension (options marked decisive) put that cause first, whatever else was
answered. Unknown, repeated or contradictory answers are ignored with a note, never an error.

Nothing here touches the database or the request: `flowgraph.current()` builds the `Graph` and
the views pass plain strings in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext, ngettext, pgettext

SERVICE_QUESTION = "service"
SINGLE = "single"
MULTIPLE = "multiple"


@dataclass(frozen=True)
class ServiceNode:
    slug: str
    name: str
    short_name: str
    contact_url: str


@dataclass(frozen=True)
class ChannelNode:
    slug: str
    service: str
    title: str
    summary: str
    method_list: tuple[str, ...]
    url: str
    body_html: str
    page_url: str


@dataclass(frozen=True)
class TipNode:
    slug: str
    title: str
    summary: str
    url: str


@dataclass(frozen=True)
class FaqNode:
    slug: str
    question: str
    url: str


@dataclass(frozen=True)
class RemedyNode:
    id: int
    cause: str  # cause slug
    title: str
    body_html: str
    action: bool = False  # something to do (report, contact, write a plan): marked done
    first_when: frozenset[str] = frozenset()  # answers that put this remedy first
    version: str = ""  # fingerprint of its text: outcomes count per version
    pinned: bool = False  # staff fixed its place: learning never moves it


@dataclass(frozen=True)
class CauseNode:
    slug: str
    code: str
    title: str
    summary: str
    urgent: bool
    warning: str
    url: str
    services: frozenset[str]
    remedies: tuple[RemedyNode, ...]
    tips: tuple[TipNode, ...]
    faqs: tuple[FaqNode, ...] = ()


@dataclass(frozen=True)
class Weight:
    cause: str
    weight: int
    decisive: bool


@dataclass(frozen=True)
class OptionNode:
    slug: str
    question: str
    label: str
    hint: str
    service: str | None
    services: frozenset[str]
    neutral: bool
    weights: tuple[Weight, ...]


@dataclass(frozen=True)
class QuestionNode:
    slug: str
    kind: str  # "service", "single" or "multiple"
    text: str
    help: str
    services: frozenset[str]
    after: frozenset[str]
    options: tuple[OptionNode, ...]

    @property
    def is_service(self) -> bool:
        return self.kind == SERVICE_QUESTION

    @property
    def is_multiple(self) -> bool:
        return self.kind == MULTIPLE


@dataclass(frozen=True)
class Graph:
    version: int
    questions: tuple[QuestionNode, ...]
    causes: tuple[CauseNode, ...]  # in the staff's order
    services: dict[str, ServiceNode]
    channels: dict[str, tuple[ChannelNode, ...]]  # by service slug

    def option(self, slug: str) -> OptionNode | None:
        return self._options.get(slug)

    def cause(self, slug: str) -> CauseNode | None:
        return self._causes.get(slug)

    def remedy(self, remedy_id: int) -> RemedyNode | None:
        return self._remedies.get(remedy_id)

    def question(self, slug: str) -> QuestionNode | None:
        return self._questions.get(slug)

    @property
    def service_question(self) -> QuestionNode | None:
        return next((q for q in self.questions if q.is_service), None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_options", {o.slug: o for q in self.questions for o in q.options})
        object.__setattr__(self, "_questions", {q.slug: q for q in self.questions})
        object.__setattr__(self, "_causes", {c.slug: c for c in self.causes})
        object.__setattr__(self, "_remedies", {r.id: r for c in self.causes for r in c.remedies})

    _options: dict[str, OptionNode] = field(init=False, repr=False, compare=False)
    _questions: dict[str, QuestionNode] = field(init=False, repr=False, compare=False)
    _causes: dict[str, CauseNode] = field(init=False, repr=False, compare=False)
    _remedies: dict[int, RemedyNode] = field(init=False, repr=False, compare=False)


@dataclass(frozen=True)
class Answers:
    """What was answered, cleaned: only options that apply, in the order of the questions."""

    service_option: OptionNode | None  # the option chosen on the service question
    chosen: tuple[OptionNode, ...]  # every other chosen option that applies
    notes: tuple[str, ...] = ()

    @property
    def service(self) -> str | None:
        return self.service_option.service if self.service_option else None

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(o.slug for o in self.chosen)

    def for_question(self, question: QuestionNode) -> tuple[OptionNode, ...]:
        if question.is_service:
            return (self.service_option,) if self.service_option else ()
        return tuple(o for o in self.chosen if o.question == question.slug)

    def answered(self, question: QuestionNode) -> bool:
        return bool(self.for_question(question))


def applies_to_service(services: frozenset[str], service: str | None) -> bool:
    """Restrictions apply only once a service is known: "not sure" sees everything."""
    return not services or service is None or service in services


def is_visible(question: QuestionNode, service: str | None, chosen: Iterable[str]) -> bool:
    """A question for some services is asked only once one of them is chosen (not of someone
    "not sure": asking them about a Prime Video device or a seller role would only slow them
    down); options and causes for some services stay open to them (`applies_to_service`)."""
    if question.services and service not in question.services:
        return False
    return not question.after or bool(question.after & set(chosen))


def interpret(graph: Graph, service: str | None, answers: Sequence[str]) -> Answers:
    """Clean raw answers: unknown ids, repeats and answers that do not apply are dropped, each
    with a note a person can read (in the active language)."""
    notes: list[str] = []
    service_question = graph.service_question
    service_option: OptionNode | None = None
    if service:
        candidate = graph.option(service)
        if service_question and (candidate is None or candidate.question != service_question.slug):
            # A service page links here with the service's own slug.
            candidate = next((o for o in service_question.options if o.service == service), None)
        if candidate and service_question and candidate.question == service_question.slug:
            service_option = candidate
        else:
            notes.append(
                gettext("The service “%(service)s” was not recognised: please choose it again.")
                % {"service": service}
            )
    chosen_service = service_option.service if service_option else None

    wanted: dict[str, list[OptionNode]] = {}
    seen: set[str] = set()
    for slug in answers:
        if slug in seen:
            continue
        seen.add(slug)
        option = graph.option(slug)
        if option is None:
            notes.append(
                gettext("The answer “%(answer)s” was not found, so it was ignored.")
                % {"answer": slug}
            )
        elif service_question and option.question == service_question.slug:
            notes.append(
                gettext(
                    "The answer “%(answer)s” is not taken as the choice of a service, so it was "
                    "ignored."
                )
                % {"answer": option.label}
            )
        else:
            wanted.setdefault(option.question, []).append(option)

    chosen: list[OptionNode] = []
    for question in graph.questions:
        picked = wanted.pop(question.slug, [])
        if question.is_service or not picked:
            continue
        if not is_visible(question, chosen_service, (o.slug for o in chosen)):
            labels = pgettext("between quoted answers", "”, “").join(o.label for o in picked)
            notes.append(
                ngettext(
                    "“%(answers)s” is not used after your other answers, so it was ignored.",
                    "“%(answers)s” are not used after your other answers, so they were ignored.",
                    len(picked),
                )
                % {"answers": labels}
            )
            continue
        usable = [o for o in picked if applies_to_service(o.services, chosen_service)]
        for option in picked:
            if option not in usable:
                notes.append(
                    gettext(
                        "“%(answer)s” does not apply to the service you chose, so it was ignored."
                    )
                    % {"answer": option.label}
                )
        if question.kind == SINGLE and len(usable) > 1:
            notes.append(
                gettext("Only one answer is used for “%(question)s” (“%(answer)s” was used).")
                % {"question": question.text, "answer": usable[0].label}
            )
            usable = usable[:1]
        chosen.extend(usable)
    for picked in wanted.values():  # options of questions no longer published
        for option in picked:
            notes.append(
                gettext("The answer “%(answer)s” is no longer used, so it was ignored.")
                % {"answer": option.label}
            )
    return Answers(service_option, tuple(chosen), tuple(notes))


def visible_questions(graph: Graph, answers: Answers) -> list[QuestionNode]:
    """The questions this person is asked, given what they answered so far."""
    visible = []
    chosen_so_far: list[str] = []
    for question in graph.questions:
        if question.is_service or is_visible(question, answers.service, chosen_so_far):
            visible.append(question)
            chosen_so_far.extend(o.slug for o in answers.for_question(question))
    return visible


def remaining_steps(graph: Graph, answers: Answers, reopen: QuestionNode | None = None) -> int:
    """The most questions this person may still be asked (`reopen`, being answered again,
    included): the open ones, and every later one that an open one could still bring up.

    Answering a question only ever lowers it, so 「残り最大N問」 never goes back up."""
    service_open = answers.service_option is None
    open_questions: set[str] = set()
    chosen: list[str] = []
    for question in graph.questions:
        picked = answers.for_question(question)
        visible = question.is_service or is_visible(question, answers.service, chosen)
        if visible:
            if not picked or question is reopen:
                open_questions.add(question.slug)
            chosen.extend(o.slug for o in picked)
            continue
        # Not asked now: could it still be, once the open questions are answered?
        service_possible = (
            not question.services or service_open or (answers.service in question.services)
        )
        condition_possible = (
            not question.after
            or bool(question.after & set(chosen))
            or any(
                (o := graph.option(slug)) and o.question in open_questions
                for slug in question.after
            )
        )
        if service_possible and condition_possible:
            open_questions.add(question.slug)
    return len(open_questions)


def next_question(graph: Graph, answers: Answers) -> QuestionNode | None:
    return next((q for q in visible_questions(graph, answers) if not answers.answered(q)), None)


# A cause is listed among the candidates only with real evidence: at least this score, and at
# least this share of the leading score. The rest are offered behind 「ほかの可能性」.
MIN_EVIDENCE = 3
MIN_SHARE = 0.25
# An answer is given as a reason for a cause only when it weighs at least this much for it.
REASON_MIN = 2
# Nothing pointed anywhere: this many of the most common causes, the rest behind 「ほかの可能性」.
FALLBACK_LISTED = 4


@dataclass(frozen=True)
class RankedCause:
    cause: CauseNode
    score: int
    reasons: tuple[str, ...]  # the labels of the answers that pointed to it, strongest first
    decisive: bool  # a sign of takeover or suspension: first, with its warning
    remedies: tuple[RemedyNode, ...] = ()  # in the order for these answers

    @property
    def checklist(self) -> bool:
        """Urgent causes are a checklist of actions, never fixes to try."""
        return self.cause.urgent


@dataclass(frozen=True)
class Ranking:
    answers: Answers
    causes: tuple[RankedCause, ...]  # the candidates, most likely first
    fallback: bool  # nothing pointed anywhere: the usual causes for the service, in staff order
    others: tuple[RankedCause, ...] = ()  # too little evidence to list: behind 「ほかの可能性」

    @property
    def notes(self) -> tuple[str, ...]:
        return self.answers.notes

    @property
    def urgent(self) -> tuple[RankedCause, ...]:
        return tuple(r for r in self.causes if r.decisive)

    @property
    def checklists(self) -> tuple[RankedCause, ...]:
        """Urgent causes shown first, as checklists: those the answers point to decisively, or
        the leading one. Another urgent cause stays in the list, its steps still never fixes."""
        return tuple(r for i, r in enumerate(self.causes) if r.checklist and (r.decisive or i == 0))

    @property
    def fixes(self) -> tuple[RemedyNode, ...]:
        """The steps to go through one at a time: every listed cause's, except checklists."""
        return tuple(r for rc in self.causes if not rc.checklist for r in rc.remedies)


def rank(
    graph: Graph, service: str | None, answers: Sequence[str], learned: Learned | None = None
) -> Ranking:
    """Rank the causes for these answers (see the module docstring)."""
    cleaned = interpret(graph, service, answers)
    return rank_answers(graph, cleaned, learned)


Learned = Mapping[str, tuple[int, ...]]  # cause slug -> remedy ids in the learned order


def ordered_remedies(
    cause: CauseNode, chosen: Iterable[str], learned: Learned | None = None
) -> tuple[RemedyNode, ...]:
    """The cause's remedies, those the answers call for (`first_when`) first, then the order
    learned from outcomes (`diagnosis.learning`) if given, else the staff order."""
    answered = set(chosen)
    remedies = cause.remedies
    order = (learned or {}).get(cause.slug)
    if order and len(order) == len(remedies):
        by_id = {r.id: r for r in remedies}
        if set(order) == set(by_id):
            remedies = tuple(by_id[i] for i in order)
    return tuple(sorted(remedies, key=lambda r: 0 if r.first_when & answered else 1))


def rank_answers(graph: Graph, answers: Answers, learned: Learned | None = None) -> Ranking:
    scores: dict[str, int] = {}
    reasons: dict[str, list[tuple[int, str]]] = {}
    decisive: set[str] = set()
    for option in answers.chosen:
        for w in option.weights:
            scores[w.cause] = scores.get(w.cause, 0) + w.weight
            if w.weight > 0:
                reasons.setdefault(w.cause, []).append((w.weight, option.label))
            if w.decisive:
                decisive.add(w.cause)

    answered = set(answers.slugs) | (
        {answers.service_option.slug} if answers.service_option else set()
    )
    position = {c.slug: i for i, c in enumerate(graph.causes)}
    eligible = [c for c in graph.causes if applies_to_service(c.services, answers.service)]
    pointed = [c for c in eligible if scores.get(c.slug, 0) > 0 or c.slug in decisive]
    fallback = not pointed
    if fallback:
        # Nothing to go on: the usual causes, most common first, without the alarming ones.
        usual = [c for c in eligible if not c.urgent]
        listed, unlisted = usual[:FALLBACK_LISTED], usual[FALLBACK_LISTED:]
    else:
        top = max(scores.get(c.slug, 0) for c in pointed)

        def enough(c: CauseNode) -> bool:
            score = scores.get(c.slug, 0)
            return c.slug in decisive or (score >= MIN_EVIDENCE and score >= top * MIN_SHARE)

        listed = [c for c in pointed if enough(c)] or [
            max(pointed, key=lambda c: scores.get(c.slug, 0))
        ]
        unlisted = [c for c in pointed if c not in listed]

    def key(c: CauseNode) -> tuple[int, int, int]:
        return (0 if c.slug in decisive else 1, -scores.get(c.slug, 0), position[c.slug])

    def ranked(group: list[CauseNode]) -> tuple[RankedCause, ...]:
        return tuple(
            RankedCause(
                cause=c,
                score=scores.get(c.slug, 0),
                reasons=_reasons(reasons.get(c.slug, [])),
                decisive=c.slug in decisive,
                remedies=ordered_remedies(c, answered, learned),
            )
            for c in sorted(group, key=key)
        )

    return Ranking(answers, ranked(listed), fallback, ranked(unlisted))


def _reasons(weighed: list[tuple[int, str]]) -> tuple[str, ...]:
    """The answers that argue for a cause, strongest first: a weak nudge is not a reason."""
    strong = [(w, label) for w, label in weighed if w >= REASON_MIN]
    return tuple(label for _, label in sorted(strong, key=lambda r: -r[0]))


@dataclass(frozen=True)
class Progress:
    """Where a person is in the fix list: what they marked, and what to do next."""

    tried: tuple[RemedyNode, ...]  # in the order they were marked (tried, or done for actions)
    resolved: RemedyNode | None
    current: RemedyNode | None  # the next remedy to try, or None when all were tried
    current_cause: RankedCause | None
    leading_used_up: bool = False  # the leading cause's fixes are all tried: support is offered

    @property
    def exhausted(self) -> bool:
        return self.resolved is None and self.current is None


def progress(ranking: Ranking, tried: Sequence[int], resolved: int | None) -> Progress:
    in_list = {r.id: r for r in ranking.fixes}
    done: list[RemedyNode] = []
    for remedy_id in tried:
        remedy = in_list.get(remedy_id)
        if remedy and remedy not in done:
            done.append(remedy)
    resolved_remedy = in_list.get(resolved) if resolved is not None else None
    if resolved_remedy is not None:
        return Progress(tuple(done), resolved_remedy, None, None)
    with_fixes = [rc for rc in ranking.causes if not rc.checklist]
    for ranked in with_fixes:
        for remedy in ranked.remedies:
            if remedy not in done:
                used_up = ranked is not with_fixes[0]
                return Progress(tuple(done), None, remedy, ranked, used_up)
    return Progress(tuple(done), None, None, None, True)
