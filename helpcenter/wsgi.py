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


django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application() does
application = Handler()
