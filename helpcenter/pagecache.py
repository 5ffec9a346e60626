"""The page cache: public pages kept whole in the configured cache, keyed on the content version.

A view opts in with `@public` (`articles.caching`). Its 200 responses are kept in the `default` cache
(Redis under `CACHE_URL`, else local memory) under a key made of

    the content version (`articles.version.stamp()`: on PostgreSQL known without a query
    between changes, elsewhere one indexed read),
    the language, the path and the whole query string,
    the htmx headers the pages answer to (`HX-Request`, `HX-History-Restore-Request`),

so a save, publish, restore, delete or `load_content` anywhere, which bumps the version in the
same transaction as the change, makes every page fresh at the next request, in every worker and
on every app server. Nothing is ever deleted: old entries are simply never asked for again and
expire (`PAGE_CACHE_SECONDS`).

Kept pages are the same for everyone: `public`, with an `ETag` (of the body) and `Last-Modified`
(when the content last changed); a matching `If-None-Match` or `If-Modified-Since` gets a 304. A
page that would carry the visitor's CSRF token (or set any cookie) is never kept: pages that
post from script (search's beacon) fetch their token when they need it (`feedback.views.token`).

Bypassed: staff (a session cookie), anything but GET and HEAD, staff previews of drafts
(`version.is_previewing()`), responses that set a cookie, use a CSRF token or are not 200. A
cache that does not answer (Redis down) serves every page uncached; `X-Cache` says hit, miss or
bypass.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from articles import version

logger = logging.getLogger(__name__)

MAX_KEY_INPUT = 2048  # longer addresses are served but not kept
MAX_BODY = 512 * 1024
GZIP_MIN = 512  # bytes; smaller bodies are sent as they are
_ACCEPTS_GZIP = re.compile(r"\bgzip\b(?!\s*;\s*q=0(?:\.0*)?\s*(?:,|$))", re.IGNORECASE)
_RELEASE_FOLDERS = (
    "templates",
    "static",
    "locale",
    "articles",
    "diagnosis",
    "search",
    "feedback",
    "helpcenter",
)
_RELEASE_SUFFIXES = {".py", ".html", ".txt", ".xml", ".mo", ".css", ".js", ".svg"}
_HEADERS_KEPT_OUT = {"set-cookie", "x-cache", "etag", "last-modified", "cache-control"}


@dataclass(frozen=True)
class Entry:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str  # of the body kept
    gzipped: bytes | None = None  # the body compressed once, for clients that accept gzip


def _eligible(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or version.is_previewing():
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return False  # staff: their pages are never kept nor served from the cache
    return not request.path.startswith("/" + settings.ADMIN_PATH)


@functools.cache
def release() -> str:
    """What the code, templates, translations and static files of this server hash to: a page
    kept by another release (a deploy, or a rolling one in progress) is never served."""
    digest = hashlib.blake2b(settings.SITE_URL.encode(), digest_size=8)  # in links and the API
    base = settings.BASE_DIR
    for folder in _RELEASE_FOLDERS:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in _RELEASE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _cacheable_view(request: HttpRequest) -> bool:
    """Whether the address leads to a view marked `@public` (asked before the database is)."""
    return _cacheable_path(
        request.path_info, getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    )


@functools.lru_cache(maxsize=4096)  # resolving costs more than the rest of a hit
def _cacheable_path(path: str, urlconf: str) -> bool:
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return False
    return getattr(match.func, "page_cache", False)


def _key(request: HttpRequest, content_version: int, changed: datetime | None) -> str | None:
    query = request.META.get("QUERY_STRING", "")
    address = f"{request.path}?{query}"
    if len(address) > MAX_KEY_INPUT:
        return None
    parts = (
        # The change's time too: a database made again from scratch counts versions from 0.
        changed.isoformat() if changed else "",
        getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        (request.headers.get("HX-Request", "") == "true" and "hx") or "",
        (request.headers.get("HX-History-Restore-Request", "") == "true" and "restore") or "",
        _current_path(request),
        address,
    )
    digest = hashlib.blake2b("\n".join(parts).encode("utf-8", "surrogateescape"), digest_size=20)
    return f"page:{release()}:{content_version}:{digest.hexdigest()}"


def _current_path(request: HttpRequest) -> str:
    """Where an htmx request came from (search pushes or replaces the address by it)."""
    if request.headers.get("HX-Request") != "true":
        return ""
    try:
        return urlsplit(request.headers.get("HX-Current-URL", "")).path[:200]
    except ValueError:
        return ""


class _Cache:
    """The `default` cache, with this process's most used entries in front of it, and where a
    failure (Redis down) is a miss and never an error.

    The local copies cannot be stale: a key names the content version it was made from, so a
    change makes every worker ask for other keys. They save the round trip to Redis on a hit
    (which measured as half a cached page's cost on PostgreSQL + Redis)."""

    LOCAL_ENTRIES = 256

    def __init__(self) -> None:
        self.cache = caches["default"]
        self.local = "Redis" in type(self.cache).__name__  # local memory needs no second copy

    def get(self, key: str) -> Entry | None:
        if self.local:
            with _local_lock:
                entry = _local.get(key)
                if entry is not None:
                    _local.move_to_end(key)
                    return entry
        try:
            value = self.cache.get(key)
        except Exception:  # the cache's own errors vary by backend; none may break a page
            logger.warning("page cache unavailable (get)", exc_info=True)
            return None
        if not isinstance(value, Entry):
            return None
        if self.local:
            self._remember(key, value)
        return value

    def set(self, key: str, entry: Entry) -> None:
        if self.local:
            self._remember(key, entry)
        try:
            self.cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        except Exception:
            logger.warning("page cache unavailable (set)", exc_info=True)

    def _remember(self, key: str, entry: Entry) -> None:
        with _local_lock:
            _local[key] = entry
            while len(_local) > self.LOCAL_ENTRIES:
                _local.popitem(last=False)


_local: OrderedDict[str, Entry] = OrderedDict()
_local_lock = threading.Lock()


def forget_local() -> None:
    """Drop this process's copies (tests that clear the shared cache)."""
    _local.clear()


class PageCache:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.PAGE_CACHE or not _eligible(request) or not _cacheable_view(request):
            return _bypassed(self.get_response(request))
        content_version, changed = version.stamp()
        key = _key(request, content_version, changed)
        cache = _Cache()
        entry = cache.get(key) if key else None
        if entry is not None:
            return self._serve(request, entry, changed, "hit")
        response = self.get_response(request)
        entry = self._entry(request, response)
        if entry is None:  # an error, a redirect, a cookie or token: served as it is, never kept
            return _bypassed(response)
        if key and not version.is_previewing():
            cache.set(key, entry)
        return self._serve(request, entry, changed, "miss")

    @staticmethod
    def _entry(request: HttpRequest, response: HttpResponse) -> Entry | None:
        if response.status_code != 200 or response.streaming or response.cookies:
            return None
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page holds this visitor's token
            return None
        body = response.content
        if len(body) > MAX_BODY:
            return None
        headers = tuple(
            (name, value)
            for name, value in response.items()
            if name.lower() not in _HEADERS_KEPT_OUT
        )
        etag = hashlib.blake2b(body, digest_size=12).hexdigest()
        # Compressed here once rather than by the proxy on every hit.
        packed = None
        if len(body) >= GZIP_MIN:
            packed = gzip.compress(body, compresslevel=6, mtime=0)
        return Entry(response.status_code, headers, body, etag, packed)

    @staticmethod
    def _serve(
        request: HttpRequest, entry: Entry, changed: datetime | None, outcome: str
    ) -> HttpResponse:
        response = HttpResponse(status=entry.status)
        for name, value in entry.headers:
            response[name] = value
        etag, body = entry.etag, entry.body
        if entry.gzipped is not None:
            patch_vary_headers(response, ("Accept-Encoding",))
            if _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
                body = entry.gzipped
                response["Content-Encoding"] = "gzip"
                etag += "-gzip"  # another representation, another tag
        response["Cache-Control"] = public_cache_control()
        if changed is not None:
            response["Last-Modified"] = http_date(changed.timestamp())
        response["ETag"] = f'"{etag}"'
        response["X-Cache"] = outcome
        response.content = body
        conditional = get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=None if changed is None else int(changed.timestamp()),
            response=response,
        )
        if conditional is None:  # not reached: a response was given
            return response
        if conditional is not response:
            conditional["X-Cache"] = outcome
        return conditional


def _bypassed(response: HttpResponse) -> HttpResponse:
    """Whatever is not a public page is for this visitor only: no shared cache may keep it."""
    response.setdefault("X-Cache", "bypass")
    if not response.has_header("Cache-Control"):
        response["Cache-Control"] = "private, no-cache"
    return response


def public_cache_control() -> str:
    """Browsers revalidate every time (a 304 costs one cache read); a CDN may keep a page for
    `CDN_MAX_AGE` seconds, the longest a visitor could then see a page older than the content."""
    value = "public, max-age=0, must-revalidate"
    if settings.CDN_MAX_AGE:
        value += f", s-maxage={settings.CDN_MAX_AGE}"
    return value
