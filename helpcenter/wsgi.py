import os

import django
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings.base")


class Request(WSGIRequest):
    """Django's request, except that a charset in the Content-Type header does not parse the
    query string while the request is being built.

    Django's `encoding` setter asks `hasattr(self, "GET")`, which parses the query string inside
    `WSGIRequest.__init__`, before any error handling: a query string of more than
    DATA_UPLOAD_MAX_NUMBER_FIELDS fields sent with `Content-Type: …; charset=…` then escaped as
    a bare server error instead of the Japanese 400 page (found by tests/helpcenter/test_fuzz.py).
    """

    @property
    def encoding(self) -> str | None:
        return self._encoding

    @encoding.setter
    def encoding(self, value: str | None) -> None:
        self._encoding = value
        self.__dict__.pop("GET", None)  # parsed again, in the new encoding, when next read
        if hasattr(self, "_post"):
            del self._post


class Handler(WSGIHandler):
    request_class = Request


def warm() -> None:
    """What every worker would otherwise do on its first requests, done once before gunicorn
    forks its workers (`preload_app`), so that each new or recycled worker answers at full
    speed at once: translations, the release hash of the page cache, every template compiled,
    every URL's view imported, the caches' clients. Nothing here opens a connection."""
    from pathlib import Path

    from django.conf import settings
    from django.core.cache import caches
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    from . import pagecache

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Search")
    pagecache.release()
    folders: list[Path] = settings.TEMPLATES[0]["DIRS"]  # type: ignore[assignment]
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.html")):
            get_template(str(path.relative_to(folder)))
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    for alias in settings.CACHES:
        caches[alias]  # imports and builds the backends (no connection yet)


django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application() does
application = Handler()
if os.environ.get("WSGI_WARM", "1") != "0":
    warm()
