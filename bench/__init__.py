"""Benchmarks: `bench/pages.py` measures page throughput and page weight (docs/PERFORMANCE.md)."""

# The bare view every page is compared to, served by `bench/urls.py` in the same server.
BARE_PATH = "/__bench__/bare"
