"""Broken flow data makes `manage.py check` fail, with a message staff can act on."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from articles.models import Cause, Status
from diagnosis.checks import check_flow
from diagnosis.models import Option, OptionCause, Question, QuestionKind

pytestmark = pytest.mark.django_db


def ids() -> set[str]:
    return {m.id for m in check_flow()}


def test_the_shipped_content_passes(content: object) -> None:
    assert check_flow() == []
    call_command("check")


def test_a_cause_no_option_points_to(content: object) -> None:
    OptionCause.objects.filter(cause__code="C4").delete()
    messages = [m for m in check_flow() if m.id == "diagnosis.E002"]
    assert len(messages) == 1 and "C4" in messages[0].msg
    with pytest.raises(SystemCheckError, match=r"diagnosis\.E002"):
        call_command("check")


def test_a_cause_without_remedies(content: object) -> None:
    Cause.objects.get(code="C5").remedies.all().delete()
    assert ids() == {"diagnosis.E003"}


def test_an_option_that_points_to_nothing(content: object) -> None:
    option = Option.objects.get(slug="captcha-failing")
    option.weights.all().delete()
    messages = check_flow()
    assert {m.id for m in messages} >= {"diagnosis.E004"}
    assert any(m.obj == option for m in messages)


def test_a_condition_on_an_option_not_asked_before(content: object) -> None:
    question = Question.objects.get(slug="recent-change")
    question.after.add(Option.objects.get(slug="seller-owner"))  # asked later
    assert "diagnosis.E005" in ids()


def test_a_condition_on_an_unpublished_question(content: object) -> None:
    Question.objects.filter(slug="symptom").update(status=Status.DRAFT)
    assert "diagnosis.E005" in ids()


def test_exactly_one_service_question(content: object) -> None:
    Question.objects.filter(kind=QuestionKind.SERVICE).update(status=Status.DRAFT)
    assert "diagnosis.E001" in ids()


def test_an_empty_database_is_not_an_error(empty: None) -> None:
    assert check_flow() == []
