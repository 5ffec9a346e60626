"""Every string a visitor sees goes through the catalogue: templates carry English message ids
only, and the Japanese catalogue translates every one of them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
CATALOGUE = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize(
    "template", sorted((ROOT / "templates").rglob("*.html")), ids=lambda p: p.name
)
def test_templates_hold_no_japanese_outside_the_catalogue(template: Path) -> None:
    lines = template.read_text(encoding="utf-8").splitlines()
    assert not [n for n, line in enumerate(lines, 1) if JAPANESE.search(line)]


def test_the_japanese_catalogue_translates_every_message() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is missing: `make messages` installs it"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_check_fails_when_the_catalogue_is_not_compiled(tmp_path: Path) -> None:
    from django.test import override_settings

    from helpcenter.checks import check_catalogue

    messages = tmp_path / "ja" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    shutil.copy(CATALOGUE, messages / "django.po")
    with override_settings(LOCALE_PATHS=[tmp_path]):
        assert [e.id for e in check_catalogue()] == ["helpcenter.E001"]
        (messages / "django.mo").write_bytes(b"")  # newer than the .po
        assert check_catalogue() == []
    assert check_catalogue() == []  # the project's own catalogue is compiled
