"""Which views' pages depend on nothing but the content (and the address): the page cache
(`helpcenter.pagecache`) keeps those, keyed on the content version this app owns."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase


def public(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Mark a view whose GET responses are the same for every visitor, given the content."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return view(request, *args, **kwargs)

    wrapped.page_cache = True  # type: ignore[attr-defined]
    return wrapped
