"""Run by tests/helpcenter/test_faults.py in a process of its own, whose DATABASE_URL points at
a database that refuses or never answers: asks a few pages and prints what came back (JSON)."""

from __future__ import annotations

import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings.test")
django.setup()

from django.test import Client  # noqa: E402

PATHS = sys.argv[1:] or ["/", "/causes/captcha-fails/", "/search/?q=a", "/api/search?q=a"]


def main() -> None:
    client = Client(raise_request_exception=False)
    answers = []
    for path in PATHS:
        started = time.monotonic()
        response = client.get(path)
        answers.append(
            {
                "path": path,
                "status": response.status_code,
                "seconds": round(time.monotonic() - started, 2),
                "headers": dict(response.items()),
                "body": response.content.decode("utf-8", "replace"),
            }
        )
    print(json.dumps(answers, ensure_ascii=False))


if __name__ == "__main__":
    main()
