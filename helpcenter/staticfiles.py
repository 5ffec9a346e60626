"""Static files: whitenoise's hashed and compressed copies (gzip, and brotli with the `brotli`
package), with the manifest kept beside STATIC_ROOT instead of inside it, so that the list of
every file is not served to anyone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class Storage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        root = settings.STATIC_ROOT
        kwargs.setdefault("manifest_storage", FileSystemStorage(location=f"{root}-manifest"))
        super().__init__(*args, **kwargs)
