"""The OpenAPI 3.1 description of the public JSON API (`GET /api/search`, `GET /api/diagnose`),
served at `/api/openapi.json`.

It is built from the same constants the forms validate with (`search.forms.ApiSearchForm`,
`diagnosis.forms.ApiDiagnoseForm`), so a limit changed there changes here too, and
`tests/helpcenter/test_openapi.py` runs schemathesis against it and checks every constraint
against the views. Building it reads no database and no request.
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any, cast

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_safe

from diagnosis.forms import MAX_ANSWERS, SLUG, ApiDiagnoseForm
from search.forms import DEFAULT_LIMIT, ApiSearchForm
from search.query import MAX_QUERY

from .errors import API_RATE, RETRY_AFTER

# What Python's str.strip() removes (str.isspace()), as a regular expression class that means the
# same in ECMA-262 (JSON Schema) and Python: the forms strip exactly these characters.
SPACE = (
    "\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f\\u0020\\u0085\\u00a0\\u1680"
    "\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
# What `search.query.clean_query` deletes before anything else (with \x0b, \x0c and \x1c-\x1f,
# which are in SPACE too).
CONTROL = "\\u0000-\\u0008\\u000e-\\u001b\\u007f"
# A query is refused only when nothing is left once those are gone: it needs one other character.
QUERY_PATTERN = f"[^{SPACE}{CONTROL}]"
_SLUG = SLUG.pattern.removeprefix("^").removesuffix("$")
# `service`: a slug; whitespace around it is ignored.
SERVICE_PATTERN = f"^[{SPACE}]*{_SLUG}[{SPACE}]*$"
# `answers`: slugs separated by commas; whitespace around each and empty items are ignored.
_ITEM = f"[{SPACE}]*(?:{_SLUG}[{SPACE}]*)?"
ANSWERS_PATTERN = f"^{_ITEM}(?:,{_ITEM})*$"

_LIMIT = cast(forms.IntegerField, ApiSearchForm.base_fields["limit"])
_SERVICE = cast(forms.CharField, ApiDiagnoseForm.base_fields["service"])
_ANSWERS = cast(forms.CharField, ApiDiagnoseForm.base_fields["answers"])
_PER_MINUTE = int(API_RATE.split("/")[0])

JSON = "application/json"
_AT_FAULT = (
    "The parameter at fault; empty when it is the request as a whole (more than 1,000 "
    "parameters, say)."
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error_schema(fields: list[str], about: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["field", "message"],
                "additionalProperties": False,
                "properties": {
                    "field": {"type": "string", "enum": fields, "description": about},
                    "message": {
                        "type": "string",
                        "minLength": 1,
                        "description": "What was wrong, for a person, in Japanese.",
                    },
                },
            }
        },
    }


def _error(description: str, schema: str, headers: dict[str, Any] | None = None) -> dict:
    response: dict[str, Any] = {
        "description": description,
        "content": {JSON: {"schema": _ref(schema)}},
    }
    if headers:
        response["headers"] = headers
    return response


def _retry_after(seconds: int, why: str) -> dict[str, Any]:
    return {
        "Retry-After": {
            "description": f"Seconds to wait before trying again ({seconds}): {why}",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
    }


def _common_responses() -> dict[str, Any]:
    return {
        "405": _error(
            "The path was requested with a method other than GET or HEAD. `Allow` lists the "
            "methods it accepts.",
            "ErrorWithoutField",
            {
                "Allow": {
                    "description": "The methods this path accepts: `GET, HEAD`.",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^GET, HEAD$"},
                }
            },
        ),
        "429": _error(
            f"Too many requests from this client address: the API allows {_PER_MINUTE} a "
            "minute per address, counted over both operations.",
            "ErrorWithoutField",
            _retry_after(60, "the counting window is a minute."),
        ),
        "503": _error(
            "The database cannot be reached at the moment; the request can be repeated as it is.",
            "ErrorWithoutField",
            _retry_after(int(RETRY_AFTER), "the usual time to recover."),
        ),
    }


def _search_operation() -> dict[str, Any]:
    return {
        "operationId": "search",
        "summary": "Search the help center",
        "description": (
            "Published causes (with their remedies), FAQs, prevention tips and contact pages "
            "matching a query, best first. Japanese is matched as it is typed: full- and "
            "half-width forms, hiragana and katakana, long vowel marks, romaji typed with the "
            "input method off, phrases without spaces, and the synonyms staff maintain. API "
            "calls are not counted in the search log."
        ),
        "parameters": [
            {
                "name": "q",
                "in": "query",
                "required": True,
                "description": (
                    "The search terms. Control characters are removed and surrounding "
                    f"whitespace trimmed; what is left is cut to {MAX_QUERY} characters (a "
                    "longer query is not an error). A query with nothing left is refused (400, "
                    "`field` `q`). When `q` is repeated, the last one counts."
                ),
                "schema": {"type": "string", "pattern": QUERY_PATTERN},
                "example": "確認コードが届かない",
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "allowEmptyValue": True,
                "description": (
                    f"The most results to return, from {_LIMIT.min_value} to "
                    f"{_LIMIT.max_value}, in ASCII digits; {DEFAULT_LIMIT} when absent or "
                    "empty. When `limit` is repeated, the last one counts."
                ),
                "schema": {
                    "type": "integer",
                    "minimum": _LIMIT.min_value,
                    "maximum": _LIMIT.max_value,
                    "default": DEFAULT_LIMIT,
                },
            },
        ],
        "responses": {
            "200": {
                "description": "The results, best first (possibly none).",
                "content": {JSON: {"schema": _ref("SearchResults")}},
            },
            "400": _error(
                "A parameter cannot be used; `field` names it and `message` says why.",
                "SearchError",
            ),
            **_common_responses(),
        },
    }


def _diagnose_operation() -> dict[str, Any]:
    return {
        "operationId": "diagnose",
        "summary": "Rank the likely causes for a service and answers",
        "description": (
            "What the guided flow at `/diagnose/` shows once questions are answered: the causes "
            "that fit the answers, most likely first, each with its remedies in the order to "
            "try them (urgent causes are checklists of actions), and those with too little "
            "evidence as `others`. Services and answers are the slugs of the options of the "
            "flow, which staff edit; an unknown one is refused (400) so that a client learns of "
            "its mistake."
        ),
        "parameters": [
            {
                "name": "service",
                "in": "query",
                "required": True,
                "description": (
                    "The slug of an option of the flow's service question, such as `shopping`, "
                    "`prime-video`, `seller-central` or `unsure` (the list in a 400's "
                    f"message). At most {_SERVICE.max_length} characters; surrounding "
                    "whitespace is ignored. When `service` is repeated, the last one counts."
                ),
                "schema": {"type": "string", "pattern": SERVICE_PATTERN},
                "example": "shopping",
            },
            {
                "name": "answers",
                "in": "query",
                "required": False,
                "description": (
                    "The slugs of the options chosen on the other questions, separated by "
                    f"commas: at most {MAX_ANSWERS} of them and {_ANSWERS.max_length} "
                    "characters. Whitespace around each and empty items are ignored, as are "
                    "repeats; an answer that does not apply (another service's, a question not "
                    "asked after the others) is left out with a note in `notes`. When `answers` "
                    "is repeated, the last one counts."
                ),
                "schema": {
                    "type": "string",
                    "maxLength": _ANSWERS.max_length,
                    "pattern": ANSWERS_PATTERN,
                },
                "example": "code-not-arriving",
            },
        ],
        "responses": {
            "200": {
                "description": "The ranking.",
                "content": {JSON: {"schema": _ref("Diagnosis")}},
            },
            "400": _error(
                "A parameter cannot be used (missing, malformed, an unknown service or answer, "
                "too many answers); `field` names it and `message` says why.",
                "DiagnoseError",
            ),
            **_common_responses(),
        },
    }


def _schemas() -> dict[str, Any]:
    url = {"type": "string", "format": "uri", "description": "Absolute, on the site's origin."}
    slug = {"type": "string", "pattern": SLUG.pattern}
    text = {"type": "string"}
    return {
        "SearchResults": {
            "type": "object",
            "required": ["query", "results"],
            "additionalProperties": False,
            "properties": {
                "query": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_QUERY,
                    "description": "The query as searched (cleaned and cut).",
                },
                "results": {
                    "type": "array",
                    "maxItems": _LIMIT.max_value,
                    "items": _ref("SearchResult"),
                    "description": "At most `limit`, best first.",
                },
            },
        },
        "SearchResult": {
            "type": "object",
            "required": ["kind", "kind_label", "title", "url", "snippet", "snippet_html", "score"],
            "additionalProperties": False,
            "properties": {
                "kind": {"type": "string", "enum": ["cause", "faq", "tip", "contact"]},
                "kind_label": {**text, "description": "The kind, for a person (Japanese)."},
                "title": text,
                "url": url,
                "snippet": {**text, "description": "Plain text around the matches."},
                "snippet_html": {
                    **text,
                    "description": "The same text, HTML-escaped, with matches in `<mark>`.",
                },
                "score": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Relevance; only its order within one response means much.",
                },
            },
        },
        "Diagnosis": {
            "type": "object",
            "required": ["service", "answers", "fallback", "notes", "causes", "others"],
            "additionalProperties": False,
            "properties": {
                "service": {**slug, "description": "The service as given."},
                "answers": {
                    "type": "array",
                    "maxItems": MAX_ANSWERS,
                    "items": slug,
                    "description": "The answers used, in the order of the questions.",
                },
                "fallback": {
                    "type": "boolean",
                    "description": "Nothing pointed anywhere: the usual causes for the service.",
                },
                "notes": {
                    "type": "array",
                    "items": text,
                    "description": "Why an answer was left out, for a person (Japanese).",
                },
                "causes": {"type": "array", "items": _ref("RankedCause")},
                "others": {
                    "type": "array",
                    "items": _ref("OtherCause"),
                    "description": "Causes with too little evidence to list.",
                },
            },
        },
        "RankedCause": {
            "type": "object",
            "required": [
                "code",
                "slug",
                "title",
                "score",
                "urgent",
                "warning",
                "reasons",
                "url",
                "checklist",
                "remedies",
            ],
            "additionalProperties": False,
            "properties": {
                "code": {**text, "description": "Staff's reference, such as C3."},
                "slug": slug,
                "title": text,
                "score": {"type": "integer"},
                "urgent": {
                    "type": "boolean",
                    "description": "An answer points to it decisively: act on it first.",
                },
                "warning": {**text, "description": "For an urgent cause, what to read first."},
                "reasons": {
                    "type": "array",
                    "items": text,
                    "description": "The answers that point to it, strongest first.",
                },
                "url": url,
                "checklist": {
                    "type": "boolean",
                    "description": "Its remedies are actions to take, not fixes to try.",
                },
                "remedies": {"type": "array", "items": _ref("Remedy")},
            },
        },
        "Remedy": {
            "type": "object",
            "required": ["title", "kind", "url"],
            "additionalProperties": False,
            "properties": {
                "title": text,
                "kind": {
                    "type": "string",
                    "enum": ["fix", "action"],
                    "description": "`fix`: something to try; `action`: something to do.",
                },
                "url": url,
            },
        },
        "OtherCause": {
            "type": "object",
            "required": ["slug", "title", "url"],
            "additionalProperties": False,
            "properties": {"slug": slug, "title": text, "url": url},
        },
        "SearchError": _error_schema(["q", "limit", ""], _AT_FAULT),
        "DiagnoseError": _error_schema(["service", "answers", ""], _AT_FAULT),
        "ErrorWithoutField": _error_schema([""], "Empty: no parameter is at fault."),
    }


@functools.cache
def description() -> dict[str, Any]:
    """The whole OpenAPI document (built once per process)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ログインヘルプ API",
            "version": "1",
            "description": (
                "Read-only JSON for the help center for people who cannot sign in to Amazon, "
                "Prime Video or Seller Central: its search and the ranking of its guided flow. "
                "No authentication; nothing is recorded. Every client address may make "
                f"{_PER_MINUTE} calls a minute (both operations together), then gets 429. "
                "Texts are in Japanese. Every refusal is JSON: "
                '`{"error": {"field": …, "message": …}}`.'
            ),
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/search": {"get": _search_operation()},
            "/api/diagnose": {"get": _diagnose_operation()},
        },
        "components": {"schemas": _schemas()},
    }


@functools.cache
def _document() -> bytes:
    return json.dumps(description(), ensure_ascii=False, indent=1).encode()


def _etag(request: HttpRequest) -> str:
    return hashlib.blake2b(_document(), digest_size=12).hexdigest()


@csrf_exempt  # read-only: any other method gets the API's 405, not the CSRF page
@require_safe
@condition(etag_func=_etag)
def openapi_json(request: HttpRequest) -> HttpResponse:
    """`/api/openapi.json`: the same for everyone until the next release."""
    response = HttpResponse(_document(), content_type="application/json")
    response["Cache-Control"] = "public, max-age=300"
    return response


# Included by the root URLconf: `/api/openapi.json`.
urlpatterns = [path("api/openapi.json", openapi_json, name="openapi")]
