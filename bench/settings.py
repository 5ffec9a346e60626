"""Settings for `bench/pages.py`: the site as it runs in production, on SQLite, with no cache.

The only additions are a bare Django view in the same server (see `bench/urls.py`), to which page
throughput is compared, and `BENCH_STATIC_ROOT` so the benchmark collects static files into its
own temporary folder.
"""

import os
from pathlib import Path

from helpcenter.settings.base import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"

# The throughput goal is for pages served without any cache: a dummy backend makes sure nothing
# the site might cache through Django's cache framework is served from one.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}

if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
