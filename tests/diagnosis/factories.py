"""Small factories for the flow: plain functions that make published questions and options."""

from __future__ import annotations

import itertools
from typing import Any

from articles.models import Cause, Service, Status
from diagnosis.models import Option, OptionCause, Question, QuestionKind

_seq = itertools.count(1)


def question(
    services: list[Service] | None = None, after: list[Option] | None = None, **kw: Any
) -> Question:
    n = next(_seq)
    defaults = {
        "slug": f"question-{n}",
        "kind": QuestionKind.SINGLE,
        "text": f"質問{n}に答えてください",
        "status": Status.PUBLISHED,
        "order": 1000 + n,
    }
    obj = Question.objects.create(**{**defaults, **kw})
    obj.services.set(services or [])
    obj.after.set(after or [])
    return obj


def option(
    question: Question, weights: dict[Cause, int] | None = None, decisive: bool = False, **kw: Any
) -> Option:
    n = next(_seq)
    defaults = {"slug": f"option-{n}", "label": f"選択肢{n}", "order": n}
    obj = Option.objects.create(question=question, **{**defaults, **kw})
    for cause, weight in (weights or {}).items():
        OptionCause.objects.create(option=obj, cause=cause, weight=weight, decisive=decisive)
    return obj
