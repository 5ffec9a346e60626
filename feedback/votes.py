"""「この記事は役に立ちましたか？」 on every cause, FAQ and tip page.

The article pages stay free of CSRF tokens and cookies, so that they can be cached alike for
everyone: their widget is a placeholder that htmx fills, once it scrolls into view, with the
voting form from `vote_form` (which carries the token); without JavaScript the placeholder is a
link to the same form as a page of its own. Voting and commenting are POSTs: CSRF-checked,
rate-limited (a Japanese 429), and never stored for crawlers.

One vote per browser and page: a signed cookie (`VOTED`) lists the pages this browser voted on
with the id of its vote, nothing else; a second vote is not stored, and only the browser that
voted can add a comment to that vote. Comments are plain text of at most 1,000 characters,
stripped of e-mail addresses, phone numbers and codes (`redact`) before they are stored, and
shown to staff escaped.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.signing import BadSignature
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from articles.models import FAQ, Cause, PreventionTip

from .forms import CommentForm, VoteForm
from .models import Vote
from .redact import redact
from .views import recordable

VOTED = "voted"
SALT = "feedback.votes"
MAX_REMEMBERED = 200  # pages one browser's cookie remembers (the oldest are forgotten)
RATE = "10/m"
PAGES: dict[str, Any] = {"cause": Cause, "faq": FAQ, "tip": PreventionTip}


def _page(kind: str, pk: int) -> Any:
    """The published page voted on, or a 404."""
    model = PAGES.get(kind)
    page = model.objects.published().filter(pk=pk).first() if model else None
    if page is None:
        raise Http404("評価できるページではありません。")
    return page


def _remembered(request: HttpRequest) -> dict[str, int]:
    try:
        raw = request.get_signed_cookie(VOTED, default="", salt=SALT)
        data = json.loads(raw) if raw else {}
    except (BadSignature, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): int(v) for k, v in data.items() if isinstance(v, int)}


def _remember(response: HttpResponse, voted: dict[str, int]) -> None:
    kept = dict(list(voted.items())[-MAX_REMEMBERED:])
    response.set_signed_cookie(
        VOTED,
        json.dumps(kept, separators=(",", ":")),
        salt=SALT,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _render(request: HttpRequest, page: Any, kind: str, state: str, **extra: Any) -> HttpResponse:
    context = {
        "page": page,
        "kind": kind,
        "state": state,  # ask, thanks, commented, already
        "vote_url": reverse("feedback:vote", args=[kind, page.pk]),
        "comment_url": reverse("feedback:vote_comment", args=[kind, page.pk]),
        "comment_form": extra.pop("comment_form", None) or CommentForm(),
        **extra,
    }
    status = context.pop("status", 200)
    htmx: Any = getattr(request, "htmx", None)
    template = "feedback/_vote.html" if htmx else "feedback/vote_page.html"
    return render(request, template, context, status=status)


@require_safe
def vote_form(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The form (with its CSRF token): swapped into the article by htmx, or a page of its own."""
    page = _page(kind, pk)
    state = "thanks" if request.GET.get("thanks") else "ask"
    return _render(request, page, kind, state)


@require_POST
@ratelimit(key="ip", rate=RATE, method="POST", block=True, group="votes")
def vote(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    page = _page(kind, pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _render(request, page, kind, "ask", error=form.first_error(), status=400)
    voted = _remembered(request)
    key = f"{kind}:{page.pk}"
    if key in voted:
        return _render(request, page, kind, "already")
    htmx: Any = getattr(request, "htmx", None)
    response = (
        _render(request, page, kind, "thanks")
        if htmx
        else HttpResponseRedirect(
            f"{reverse('feedback:vote_form', args=[kind, page.pk])}?thanks=1", status=303
        )
    )
    if recordable(request):
        made = Vote.objects.create(
            page=kind, object_id=page.pk, helpful=form.cleaned_data["helpful"]
        )
        voted[key] = made.pk
        _remember(response, voted)
    return response


@require_POST
@ratelimit(key="ip", rate=RATE, method="POST", block=True, group="votes")
def vote_comment(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    page = _page(kind, pk)
    vote_id = _remembered(request).get(f"{kind}:{page.pk}")
    made = (
        Vote.objects.filter(pk=vote_id, page=kind, object_id=page.pk).first() if vote_id else None
    )
    if made is None:
        return _render(
            request,
            page,
            kind,
            "ask",
            error="先に「はい」か「いいえ」を選んでください。",
            status=400,
        )
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _render(request, page, kind, "thanks", comment_form=form, status=400)
    made.comment = redact(form.cleaned_data["comment"])
    made.handled = False
    made.save(update_fields=["comment", "handled"])
    return _render(request, page, kind, "commented")
