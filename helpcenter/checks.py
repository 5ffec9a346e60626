"""`manage.py check` fails when the compiled Japanese catalogue is missing or older than its
source: the interface would then show the English message ids to visitors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks


def register() -> None:
    checks.register(check_catalogue, "translation")


def check_catalogue(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for locale_dir in settings.LOCALE_PATHS:
        for po in sorted(Path(locale_dir).glob("*/LC_MESSAGES/django.po")):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                errors.append(
                    checks.Error(
                        f"{mo} がないか、{po.name} より古くなっています。画面の文言が英語のまま表示されます。",
                        hint="`make messages`（または `python manage.py compilemessages`）で作り直してください。",
                        id="helpcenter.E001",
                    )
                )
    return errors
