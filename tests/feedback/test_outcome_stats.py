"""Outcomes carry the cause and the fix's text version, and keep each fix's record (what the
learned order reads) up to date as they arrive: once per distinct event, never from a forgery."""

from __future__ import annotations

import pytest
from django.test import Client

from articles.models import Remedy
from diagnosis.flow import flow_token
from diagnosis.models import RemedyStat
from feedback.models import FlowEvent
from tests.feedback.test_recording import post_answer, result_state

pytestmark = pytest.mark.django_db


def test_a_fix_that_did_not_work_counts_one_try_once(client: Client, content: object) -> None:
    pairs, remedy_id = result_state(client)
    remedy = Remedy.objects.get(pk=remedy_id)
    assert post_answer(client, pairs, "unresolved").status_code == 303
    post_answer(client, pairs, "unresolved")  # pressed again: not a second try
    event = FlowEvent.objects.get(flow_id=flow_token(dict(pairs)["f"]), kind="tried")
    assert event.cause == remedy.cause.slug and event.version == remedy.version
    stat = RemedyStat.objects.get(remedy=remedy)
    assert (stat.version, stat.tries, stat.successes) == (remedy.version, 1, 0)


def test_a_fix_that_worked_counts_a_try_and_a_success(client: Client, content: object) -> None:
    pairs, remedy_id = result_state(client)
    post_answer(client, pairs, "resolved")
    stat = RemedyStat.objects.get(remedy_id=remedy_id)
    assert (stat.tries, stat.successes) == (1, 1)


def test_a_forged_flow_id_counts_nothing(client: Client, content: object) -> None:
    pairs, _remedy_id = result_state(client)
    forged = [(k, "forged" if k == "f" else v) for k, v in pairs]
    post_answer(client, forged, "resolved")
    assert not RemedyStat.objects.exists() and not FlowEvent.objects.exists()
