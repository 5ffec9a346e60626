"""Static files: whitenoise's hashed and compressed copies (gzip, and brotli with the `brotli`
package), with the manifest kept beside STATIC_ROOT instead of inside it, so that the list of
every file is not served to anyone.

The site's own CSS and JS (`css/`, `js/`) are minified as they are collected (rcssmin, rjsmin:
comments and white space out), before they are hashed and compressed; vendored files (already
minified) and Django's admin files are copied as they are. `minify()` is also what the tests
use to weigh a page as production sends it (tests/browser/test_weight.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rcssmin
import rjsmin
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

OWN = ("css/", "js/")
MINIFIERS = {".css": rcssmin.cssmin, ".js": rjsmin.jsmin}


def _minifier(name: str) -> Callable[[str], str] | None:
    if not name.startswith(OWN):
        return None
    return next((m for suffix, m in MINIFIERS.items() if name.endswith(suffix)), None)


def minify(name: str, text: str) -> str:
    """`text` of the static file `name` as production serves it."""
    minifier = _minifier(name)
    return str(minifier(text)) if minifier else text


class Storage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        root = settings.STATIC_ROOT
        kwargs.setdefault("manifest_storage", FileSystemStorage(location=f"{root}-manifest"))
        super().__init__(*args, **kwargs)

    def _save(self, name: str, content: Any) -> str:
        if _minifier(name):
            content.seek(0)
            text = content.read()
            text = text.decode() if isinstance(text, bytes) else text
            content = ContentFile(minify(name, text).encode())
        return super()._save(name, content)
