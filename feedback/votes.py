"""「この記事は役に立ちましたか？」 on every cause, FAQ and tip page.

Cacheable articles. The article pages carry no CSRF token and set no cookie, so that one copy
can be cached for everyone. Their widget (`feedback/vote_slot.html`) is a placeholder that htmx
fills, once it scrolls into view, with the voting form from `vote_form` (a GET that carries the
token and writes nothing). Without JavaScript the placeholder is a plain link to the same form
as a page of its own (`noindex`); its POST answers 303 back to that page with `?thanks=1`, which
thanks the visitor and offers the comment box without reading any cookie. The placeholder link
and the 「はい」 button share an id, so htmx keeps the keyboard focus when one replaces the other.

POSTs only, each CSRF-checked and rate-limited (`RATE` per client, group "votes": the Japanese
429 page of `helpcenter.errors.too_many_requests`, as `feedback.views` does). Crawlers and
prefetches store nothing (`feedback.views.recordable`).

One vote per browser and page: a signed cookie (`VOTED`, HttpOnly, SameSite=Lax, a year, sent
only to these URLs) lists the pages this browser voted on with the id of its vote, nothing else:
`c12-2n9c.f3-2n9d` (kind letter, page id, vote id in base 36), the newest `MAX_REMEMBERED`, well
under the 4 KB browsers accept. A second vote is not stored; only the browser that voted can
add a comment, once, to its own vote. Comments are plain text of at most 1,000 characters,
stripped of e-mail addresses, phone numbers and codes (`redact`) before they are stored, and
shown to staff escaped.

htmx 2 swaps no 4xx response, so inside the widget (htmx requests) a refused answer (a form
error, a burst of POSTs) comes back as 200 with the reason in the widget's status line; the
same request without htmx gets the real status (400, 404, 429) and a Japanese page. After an
htmx POST only the widget's body is replaced: its `role="status"` line stays in the page and is
updated out of band, so screen readers announce the result, and focus moves into the widget.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.signing import BadSignature
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import base36_to_int, int_to_base36
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from articles.models import FAQ, Cause, PreventionTip

from .forms import CommentForm, VoteForm
from .models import Vote
from .redact import redact
from .views import recordable

VOTED = "votes"
SALT = "feedback.votes"
MAX_REMEMBERED = 200  # pages one browser's cookie remembers (the oldest are forgotten)
RATE = "10/m"  # votes and comments per client and minute
PAGES: dict[str, Any] = {"cause": Cause, "faq": FAQ, "tip": PreventionTip}
_LETTER = {"cause": "c", "faq": "f", "tip": "t"}
_KIND = {letter: kind for kind, letter in _LETTER.items()}
_ENTRY = re.compile(r"([cft])(\d{1,10})-([0-9a-z]{1,12})")

NOT_VOTED = "先に「はい」か「いいえ」を選んでください。"
TOO_FAST = "短い時間に何度も送信されました。1分ほど待ってから、もう一度お試しください。"


def _page(kind: str, pk: int) -> Any:
    """The published page voted on, or a (Japanese) 404."""
    model = PAGES.get(kind)
    page = model.objects.published().filter(pk=pk).first() if model else None
    if page is None:
        raise Http404("評価できるページではありません。")
    return page


def _key(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


def encode(voted: dict[str, int]) -> str:
    """`{"cause:12": 3456}` as `c12-2n0`, the newest `MAX_REMEMBERED` only."""
    newest = list(voted.items())[-MAX_REMEMBERED:]
    entries = []
    for key, vote_id in newest:
        kind, _, pk = key.partition(":")
        entries.append(f"{_LETTER[kind]}{pk}-{int_to_base36(vote_id)}")
    return ".".join(entries)


def decode(raw: str) -> dict[str, int]:
    """What `encode` wrote, in the same order; anything else is skipped."""
    voted: dict[str, int] = {}
    for entry in raw.split(".") if raw else ():
        match = _ENTRY.fullmatch(entry)
        if match:
            letter, pk, vote_id = match.groups()
            voted[_key(_KIND[letter], int(pk))] = base36_to_int(vote_id)
    return voted


def _remembered(request: HttpRequest) -> dict[str, int]:
    try:
        return decode(request.get_signed_cookie(VOTED, default="", salt=SALT) or "")
    except (BadSignature, ValueError):
        return {}


def _cookie_path() -> str:
    """`/feedback/vote/`: the cookie goes with the vote URLs only, never with an article."""
    return reverse("feedback:vote_form", args=["cause", 1]).rsplit("cause/", 1)[0]


def _remember(response: HttpResponse, voted: dict[str, int]) -> None:
    response.set_signed_cookie(
        VOTED,
        encode(voted),
        salt=SALT,
        max_age=365 * 24 * 3600,
        path=_cookie_path(),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _render(
    request: HttpRequest,
    page: Any,
    kind: str,
    state: str,
    *,
    error: str = "",
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The widget in `state` (ask, thanks, commented, already, already_commented): for htmx a
    GET gets the whole widget and a POST its body plus the status line; otherwise a page."""
    context = {
        "page": page,
        "kind": kind,
        "state": state,
        "error": error,
        "focus": _htmx(request) and request.method == "POST",  # into the widget, once swapped
        "vote_url": reverse("feedback:vote", args=[kind, page.pk]),
        "comment_url": reverse("feedback:vote_comment", args=[kind, page.pk]),
        "comment_form": comment_form or CommentForm(),
        "comment_max": CommentForm.MAX,
    }
    if not _htmx(request):
        return render(request, "feedback/vote_page.html", context, status=status)
    template = "feedback/_vote.html" if request.method == "GET" else "feedback/_vote_update.html"
    return render(request, template, context, status=200 if status == 400 else status)


def _refused_in_the_widget(state: str) -> Callable[[Callable], Callable]:
    """A burst of POSTs (django-ratelimit's `Ratelimited`): the Japanese 429 page, or for htmx
    the reason in the widget (with what the visitor typed kept)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
            try:
                return view(request, kind, pk)
            except Ratelimited:
                if not _htmx(request):
                    raise
                typed = CommentForm(initial={"comment": request.POST.get("comment", "")})
                page = _page(kind, pk)
                response = _render(request, page, kind, state, error=TOO_FAST, comment_form=typed)
                response["Retry-After"] = "60"
                return response

        return wrapped

    return decorate


@require_safe
@never_cache
def vote_form(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The form (with its CSRF token): swapped into the article by htmx, or a page of its own.
    A browser that already voted on the page is told so instead. Writes nothing."""
    page = _page(kind, pk)
    if request.GET.get("thanks"):
        state = "thanks"
    elif _key(kind, page.pk) in _remembered(request):
        state = "already"
    else:
        state = "ask"
    return _render(request, page, kind, state)


@require_POST
@_refused_in_the_widget("ask")
@ratelimit(key="ip", rate=RATE, method="POST", block=True, group="votes")
def vote(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """「はい」 or 「いいえ」: stored once per browser and page, then thanks and the comment box
    (303 to the form's page with `?thanks=1` without JavaScript)."""
    page = _page(kind, pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _render(request, page, kind, "ask", error=form.first_error(), status=400)
    voted = _remembered(request)
    key = _key(kind, page.pk)
    if key in voted:
        return _render(request, page, kind, "already")
    if _htmx(request):
        response = _render(request, page, kind, "thanks")
    else:
        thanks = f"{reverse('feedback:vote_form', args=[kind, page.pk])}?thanks=1"
        response = HttpResponseRedirect(thanks, status=303)
    if recordable(request):
        made = Vote.objects.create(
            page=kind, object_id=page.pk, helpful=form.cleaned_data["helpful"]
        )
        voted[key] = made.pk
        _remember(response, voted)
    return response


@require_POST
@_refused_in_the_widget("thanks")
@ratelimit(key="ip", rate=RATE, method="POST", block=True, group="votes")
def vote_comment(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The optional comment, added once to the vote this browser made on this page."""
    page = _page(kind, pk)
    vote_id = _remembered(request).get(_key(kind, page.pk))
    made = (
        Vote.objects.filter(pk=vote_id, page=kind, object_id=page.pk).first() if vote_id else None
    )
    if made is None:
        return _render(request, page, kind, "ask", error=NOT_VOTED, status=400)
    if made.comment:
        return _render(request, page, kind, "already_commented")
    form = CommentForm(request.POST)
    if not form.is_valid():
        error = next(iter(form.errors.get("comment", [])), "")
        return _render(
            request, page, kind, "thanks", error=str(error), comment_form=form, status=400
        )
    made.comment = redact(form.cleaned_data["comment"])
    made.handled = False
    made.save(update_fields=["comment", "handled"])
    return _render(request, page, kind, "commented")
