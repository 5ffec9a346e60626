"""Static files as production collects them: the site's own minified, hashed, with gzip and
brotli copies, and without the manifest (the list of every file) where anyone could fetch it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

from helpcenter.settings.base import STORAGES
from helpcenter.staticfiles import minify
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
        # The site's own CSS and JS are minified; vendored files are copied as they are.
        source = Path(settings.BASE_DIR) / "static"
        css_source = (source / "css" / "site.css").read_text()
        assert "/*" in css_source and "/*" not in hashed.read_text()
        assert len(hashed.read_text()) < 0.9 * len(css_source)
        app = next(root.glob("js/app.*.js")).read_text()
        assert app == minify("js/app.js", (source / "js" / "app.js").read_text())
        assert len(app) < 0.8 * len((source / "js" / "app.js").read_text())
        htmx = next(root.glob("vendor/htmx-*.min.*.js")).read_bytes()
        assert htmx == next((source / "vendor").glob("htmx-*.min.js")).read_bytes()
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
