"""Static files as production collects them: hashed, with gzip and brotli copies, and without
the manifest (the list of every file) where anyone could fetch it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from helpcenter.settings.base import STORAGES
from tests.helpcenter.test_headers import close_file

pytestmark = pytest.mark.django_db


def test_collected_static_files_are_compressed_and_the_manifest_is_not_served(
    tmp_path: Path, content: object
) -> None:
    root = tmp_path / "static"
    with override_settings(STORAGES=STORAGES, STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
        assert not (root / "staticfiles.json").exists()
        assert (tmp_path / "static-manifest" / "staticfiles.json").exists()
        hashed = next(root.glob("css/site.*.css"))
        assert hashed.with_name(hashed.name + ".br").exists()
        assert hashed.with_name(hashed.name + ".gz").exists()
        with override_settings(WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False):
            client = Client()
            page = client.get("/tips/").content.decode()
            assert f"/static/css/{hashed.name}" in page  # pages link the hashed name
            css = client.get(f"/static/css/{hashed.name}", HTTP_ACCEPT_ENCODING="br, gzip")
            close_file(css)
            assert css.status_code == 200 and css["Content-Encoding"] == "br"
            assert "immutable" in css["Cache-Control"]
            manifest = client.get("/static/staticfiles.json")
            assert manifest.status_code == 404
            assert "ページが見つかりません" in manifest.content.decode()
