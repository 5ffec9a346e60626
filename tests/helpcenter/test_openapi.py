"""The OpenAPI description at /api/openapi.json is true: schemathesis drives both operations
through the WSGI application with data that fits the description and data that does not, and the
tests below check every documented constraint, response and header against the views."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from unittest import mock

import jsonschema_rs
import pytest
import schemathesis
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections
from django.test import Client, RequestFactory
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    status_code_conformance,
    unsupported_method,
)

from diagnosis import graph
from helpcenter import openapi
from helpcenter.wsgi import application as site

CLIENT_ADDRESS = "127.0.0.1"  # what django.test.Client sends too


def application(environ: dict[str, Any], start_response: Any) -> Any:
    """The site's WSGI application (`helpcenter.wsgi`), given a client address as every WSGI
    server does (werkzeug's test client, which schemathesis uses, sends none), and without the
    request signals that would close the test's database connection (as django.test.Client)."""
    environ.setdefault("REMOTE_ADDR", CLIENT_ADDRESS)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = site(environ, start_response)
        body = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return [body]


EXAMPLES = 300  # per operation, about half of them fitting the description and half not
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    unsupported_method,
]


def known_slugs() -> tuple[list[str], list[str]]:
    """The services and the other answers of the loaded flow."""
    current = graph.current()
    service_question = current.service_question
    services = [o.slug for o in service_question.options]
    answers = [o.slug for q in current.questions if q is not service_question for o in q.options]
    return services, answers


def _fits(value: Any, pattern: str, max_length: int | None = None) -> bool:
    if not isinstance(value, str) or (max_length is not None and len(value) > max_length):
        return False
    return re.search(pattern, value) is not None


def _real_values(context: Any, query: dict[str, Any] | None) -> Any:
    """schemathesis knows only the syntax of `service` and `answers`; a real flow has a few dozen
    slugs. Values that fit the description are swapped for real ones, so that the ranking runs
    instead of a refusal of an unknown slug (values that do not fit are left as they are)."""
    if context.operation.path != "/api/diagnose" or not query:
        return st.just(query)
    services, answers = known_slugs()
    answers_max = openapi.ApiDiagnoseForm.base_fields["answers"].max_length
    swaps: dict[str, Any] = {}
    if _fits(query.get("service"), openapi.SERVICE_PATTERN):
        swaps["service"] = st.sampled_from(services)
    if _fits(query.get("answers"), openapi.ANSWERS_PATTERN, answers_max):
        swaps["answers"] = st.lists(st.sampled_from(answers), max_size=6).map(",".join)
    return st.fixed_dictionaries(swaps).map(lambda new: {**query, **new})


def _served_schema() -> Any:
    """The description exactly as /api/openapi.json serves it (its view reads no database, so it
    can be called while tests are collected), run through the WSGI application with data that
    fits it and data that does not."""
    served = openapi.openapi_json(RequestFactory().get("/api/openapi.json"))
    loaded = schemathesis.openapi.from_dict(json.loads(served.content))
    loaded.app = application
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    loaded.config.generation.update(modes=modes, max_examples=EXAMPLES)
    loaded.hook("flatmap_query")(_real_values)
    return loaded


schema = _served_schema()
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


# Schemathesis's WSGI client does not undo gzip, as an HTTP client would; answers kept in the page
# cache (/api/search) come compressed to clients that accept it.
PLAIN = {"Accept-Encoding": "identity"}


def _call_and_validate(case: schemathesis.Case) -> None:
    caches["ratelimit"].clear()  # 120 calls a minute: the 429 is tested on its own below
    checks = list(CHECKS)
    if case.operation.path == "/api/search":
        checks.append(positive_data_acceptance)  # any q that fits gets results, maybe none
    response = case.call_and_validate(checks=checks, headers=PLAIN)
    services, answers = known_slugs()
    query = case.query or {}
    if (
        case.meta is not None
        and case.meta.generation.mode.is_positive
        and case.operation.path == "/api/diagnose"
        and query.get("service") in services
        and all(a in answers for a in (query.get("answers") or "").split(",") if a)
    ):
        assert response.status_code == 200, (query, response.text)


@schema.parametrize()
@SETTINGS
def test_the_api_does_what_its_description_says(content: None, case: schemathesis.Case) -> None:
    _call_and_validate(case)


# --- The description itself ------------------------------------------------------------------


def test_the_description_is_served_as_json_without_the_database(db: None) -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=300"
    assert json.loads(response.content) == openapi.description()
    # The view reads nothing, and the site serves it while the database is down.
    request = RequestFactory().get("/api/openapi.json")
    with mock.patch("django.db.backends.utils.CursorWrapper.execute") as execute:
        assert openapi.openapi_json(request).status_code == 200
    execute.assert_not_called()
    down = OperationalError("connection refused")
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=down):
        assert Client().get("/api/openapi.json").content == response.content
    again = Client().get("/api/openapi.json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_description_is_valid_openapi_with_a_relative_server(db: None) -> None:
    loaded = schemathesis.openapi.from_dict(openapi.description())
    loaded.validate()
    assert openapi.description()["servers"] == [{"url": "/"}]
    assert {str(op.ok().label) for op in loaded.get_all_operations()} == {
        "GET /api/search",
        "GET /api/diagnose",
    }


def test_the_whitespace_class_is_what_python_strips() -> None:
    every = "".join(map(chr, range(0x110000)))
    spaces = set(filter(str.isspace, every))
    assert set(re.findall(f"[{openapi.SPACE}]", every)) == spaces


# --- Every constraint, checked against the views ----------------------------------------------


def _validator(name: str) -> Any:
    """A validator of one of the description's schemas, its references resolved."""
    document = openapi.description()
    return jsonschema_rs.validator_for(
        {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    )


def _parameter(path: str, name: str) -> dict[str, Any]:
    parameters = openapi.description()["paths"][path]["get"]["parameters"]
    return next(p for p in parameters if p["name"] == name)


@pytest.fixture
def api(content: None) -> Iterator[Client]:
    caches["ratelimit"].clear()
    yield Client(raise_request_exception=False)


def _refused(response: Any, field: str, error_schema: str) -> None:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    _validator(error_schema).validate(body)
    assert body["error"]["field"] == field, body


SEARCH_OUTSIDE = [
    ({}, "q"),  # required
    ({"q": ""}, "q"),
    ({"q": " \u3000\t"}, "q"),  # only whitespace: nothing left
    ({"q": "\x00\x07\x7f"}, "q"),  # only control characters
    ({"q": "ログイン", "limit": "0"}, "limit"),  # below minimum
    ({"q": "ログイン", "limit": "51"}, "limit"),  # above maximum
    ({"q": "ログイン", "limit": "ten"}, "limit"),  # not an integer
    ({"q": "ログイン", "limit": "2.5"}, "limit"),
    ({"q": "ログイン", "limit": "²"}, "limit"),  # a digit int() does not read
    ({"q": "ログイン", "limit": "５"}, "limit"),  # digits int() reads, but not ASCII ones
    ({"q": "ログイン", "limit": "5.0"}, "limit"),
    ({"q": "ログイン", "limit": " 5"}, "limit"),
    ({"q": "ログイン", "limit": "1_0"}, "limit"),
    ({"q": "ログイン", "limit": "+5"}, "limit"),
]


@pytest.mark.parametrize("params,field", SEARCH_OUTSIDE)
def test_search_refuses_what_is_outside_the_description(
    api: Client, params: dict[str, str], field: str
) -> None:
    _refused(api.get("/api/search", params), field, "SearchError")
    error_fields = openapi.description()["components"]["schemas"]["SearchError"]
    assert field in error_fields["properties"]["error"]["properties"]["field"]["enum"]


def test_search_constraints_in_the_description_are_the_forms() -> None:
    q = _parameter("/api/search", "q")
    limit = _parameter("/api/search", "limit")["schema"]
    assert q["required"] and (limit["minimum"], limit["maximum"], limit["default"]) == (1, 50, 10)
    for outside in ("", " ", "\u3000\n", "\x00", "\x1f\x85"):
        assert not re.search(q["schema"]["pattern"], outside)
    for inside in ("a", " 停止 ", "\x00x", "ﾛｸﾞｲﾝ"):
        assert re.search(q["schema"]["pattern"], inside)


@pytest.mark.parametrize(
    "params",
    [
        {"q": "停"},
        {"q": "確認コードが届かない", "limit": "1"},
        {"q": "ログイン", "limit": "50"},
        {"q": "x" * 500},  # longer than 200: cut, not refused
        {"q": "\x01ﾊﾟｽﾜｰﾄﾞ\x02", "limit": ""},  # control characters dropped; empty limit: 10
        {"q": "zzzzqqqq"},  # nothing found
    ],
)
def test_search_answers_what_is_inside_the_description_with_its_200_schema(
    api: Client, params: dict[str, str]
) -> None:
    response = api.get("/api/search", params)
    assert response.status_code == 200
    body = response.json()
    _validator("SearchResults").validate(body)
    assert len(body["results"]) <= int(params.get("limit") or 10)


def test_search_results_fill_every_documented_field(api: Client) -> None:
    body = api.get("/api/search", {"q": "コード", "limit": "50"}).json()
    _validator("SearchResults").validate(body)
    kinds = {r["kind"] for r in body["results"]}
    assert {"cause", "faq"} <= kinds
    assert all("<mark>" in r["snippet_html"] or r["snippet"] for r in body["results"])


DIAGNOSE_OUTSIDE = [
    ({}, "service"),  # required
    ({"service": ""}, "service"),
    ({"service": " \t"}, "service"),
    ({"service": "Shopping"}, "service"),  # not a slug
    ({"service": "x" * 61}, "service"),  # longer than a slug
    ({"service": "amazon"}, "service"),  # a slug, but no such service
    ({"service": "shop\x00ping"}, "service"),
    ({"service": "shopping", "answers": "code-not-arriving,NOPE"}, "answers"),
    ({"service": "shopping", "answers": "no-such-answer"}, "answers"),
    ({"service": "shopping", "answers": "a\x00b"}, "answers"),
    ({"service": "shopping", "answers": ",".join(["code-asked"] * 41)}, "answers"),  # > 40
    ({"service": "shopping", "answers": " " * 2441}, "answers"),  # > maxLength
]


@pytest.mark.parametrize("params,field", DIAGNOSE_OUTSIDE)
def test_diagnose_refuses_what_is_outside_the_description(
    api: Client, params: dict[str, str], field: str
) -> None:
    _refused(api.get("/api/diagnose", params), field, "DiagnoseError")
    service = _parameter("/api/diagnose", "service")["schema"]
    answers = _parameter("/api/diagnose", "answers")["schema"]
    outside_syntax = not _fits(params.get("service"), service["pattern"]) or (
        "answers" in params
        and not _fits(params["answers"], answers["pattern"], answers["maxLength"])
    )
    unknown = params.get("service") == "amazon" or "no-such-answer" in params.get("answers", "")
    too_many = params.get("answers", "").count(",") >= 40
    # Outside the description, or a slug the description says must be one of the flow's.
    assert outside_syntax or unknown or too_many or "NOPE" in params.get("answers", "")


@pytest.mark.parametrize(
    "params",
    [
        {"service": "shopping"},
        {"service": " prime-video\u3000"},  # whitespace around it is ignored
        {"service": "unsure", "answers": ""},
        {"service": "shopping", "answers": "code-not-arriving"},
        {"service": "shopping", "answers": " code-not-arriving , ,changed-password,"},
        {"service": "prime-video", "answers": "device-tv,tv-code-fails,device-tv"},
        {"service": "seller-central", "answers": "suspension-notice,seller-invited-user"},
        {"service": "shopping", "answers": "device-tv"},  # not for this service: a note
        {"service": "shopping", "answers": "unknown-activity,changed-by-someone"},  # urgent
        {"service": "shopping", "answers": ",".join(["code-asked"] * 40)},
    ],
)
def test_diagnose_answers_what_is_inside_the_description_with_its_200_schema(
    api: Client, params: dict[str, str]
) -> None:
    service = _parameter("/api/diagnose", "service")["schema"]
    answers = _parameter("/api/diagnose", "answers")["schema"]
    assert _fits(params["service"], service["pattern"])
    assert _fits(params.get("answers", ""), answers["pattern"], answers["maxLength"])
    response = api.get("/api/diagnose", params)
    assert response.status_code == 200, response.content
    _validator("Diagnosis").validate(response.json())


def test_diagnose_fills_every_documented_field(api: Client) -> None:
    urgent = api.get(
        "/api/diagnose", {"service": "shopping", "answers": "unknown-activity,changed-by-someone"}
    ).json()
    assert urgent["causes"][0]["urgent"] and urgent["causes"][0]["checklist"]
    assert urgent["causes"][0]["warning"]
    noted = api.get("/api/diagnose", {"service": "shopping", "answers": "device-tv"}).json()
    assert noted["notes"]
    plain = api.get("/api/diagnose", {"service": "shopping", "answers": "code-asked"}).json()
    assert plain["others"] and not plain["fallback"]
    kinds = {r["kind"] for body in (urgent, plain) for c in body["causes"] for r in c["remedies"]}
    assert kinds == {"fix", "action"}
    assert api.get("/api/diagnose", {"service": "shopping"}).json()["fallback"]


# --- 405, 429 and 503 --------------------------------------------------------------------------


def _operation_response(path: str, status: str) -> dict[str, Any]:
    return openapi.description()["paths"][path]["get"]["responses"][status]


@pytest.mark.parametrize("path", ["/api/search", "/api/diagnose"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_other_methods_get_the_documented_405(api: Client, path: str, method: str) -> None:
    response = getattr(api, method)(path)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert re.fullmatch(
        _operation_response(path, "405")["headers"]["Allow"]["schema"]["pattern"], response["Allow"]
    )
    _validator("ErrorWithoutField").validate(response.json())


def _validate_with_schemathesis(path: str, query: dict[str, str], status: int) -> Any:
    loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    case = loaded[path]["GET"].Case(query=query)
    response = case.call(headers=PLAIN)
    assert response.status_code == status, response.text
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        response_headers_conformance,
    ]
    if status == 503:
        checks.remove(not_a_server_error)
    case.validate_response(response, checks=checks)
    return response


@pytest.mark.parametrize("path", ["/api/search", "/api/diagnose"])
@pytest.mark.usefixtures("one_window")
def test_a_burst_gets_the_documented_429(api: Client, path: str) -> None:
    query = {"q": "停止"} if path == "/api/search" else {"service": "shopping"}
    for n in range(int(openapi.API_RATE.split("/")[0])):
        # From the address schemathesis's calls come from; searches differ (an answer already
        # in the page cache is not counted).
        api.get(path, {"q": f"停止 {n}"} if path == "/api/search" else query)
    response = _validate_with_schemathesis(path, query, 429)
    assert int(response.headers["retry-after"][0]) == 60


@pytest.mark.usefixtures("one_window")
def test_the_limit_is_shared_and_counted_per_address(api: Client) -> None:
    per_minute = int(openapi.API_RATE.split("/")[0])
    for i in range(per_minute):
        path = "/api/search" if i % 2 else "/api/diagnose"
        assert api.get(path, REMOTE_ADDR="192.0.2.1").status_code == 400  # counted, refused
    blocked = api.get("/api/search", {"q": "停止"}, REMOTE_ADDR="192.0.2.1")
    assert blocked.status_code == 429
    _validator("ErrorWithoutField").validate(blocked.json())
    assert api.get("/api/search", {"q": "停止"}, REMOTE_ADDR="192.0.2.2").status_code == 200


@pytest.mark.parametrize(
    "path,query,target",
    [
        ("/api/search", {"q": "停止"}, "search.views.search"),
        ("/api/diagnose", {"service": "shopping"}, "diagnosis.graph.current"),
    ],
)
def test_an_unreachable_database_gets_the_documented_503(
    api: Client, path: str, query: dict[str, str], target: str
) -> None:
    with mock.patch(target, side_effect=OperationalError("connection refused")):
        response = _validate_with_schemathesis(path, query, 503)
    assert int(response.headers["retry-after"][0]) == int(openapi.RETRY_AFTER)
