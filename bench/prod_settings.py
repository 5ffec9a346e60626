"""Settings for `bench/load.py`: the production settings, as `bin/serve-prod` runs them, plus

- the bare Django view in the same server (`bench/urls.py`), to which throughput is compared;
- `BENCH_STATIC_ROOT`: static files collected into the benchmark's temporary folder (and, without
  Redis, `BENCH_RATELIMIT_DIR` for the rate limits' files);
- the client's address for the rate limits taken from `X-Bench-Client`, a number the load
  generator gives each request (one of about a thousand simulated visitors). The limits (60
  POSTs and 120 API calls a minute per client) are counted exactly as in production, but a
  single load generator is not taken for one visitor clicking thousands of times a minute.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from helpcenter.settings.production import *  # noqa: F403
from helpcenter.settings.production import CACHES

if TYPE_CHECKING:
    from django.http import HttpRequest

ROOT_URLCONF = "bench.urls"

if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])

if os.environ.get("BENCH_RATELIMIT_DIR") and str(CACHES["ratelimit"]["BACKEND"]).endswith(
    "FileBasedCache"
):
    CACHES["ratelimit"]["LOCATION"] = os.environ["BENCH_RATELIMIT_DIR"]

RATELIMIT_IP_META_KEY = "bench.prod_settings.client_address"


def client_address(request: HttpRequest) -> str:
    """A simulated visitor's address (10.x.y.z) from `X-Bench-Client`; else nginx's X-Real-IP."""
    visitor = request.META.get("HTTP_X_BENCH_CLIENT", "")
    if visitor.isdigit():
        n = int(visitor) % (1 << 24)
        return f"10.{n >> 16}.{(n >> 8) & 255}.{n & 255}"
    return str(request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR", ""))
