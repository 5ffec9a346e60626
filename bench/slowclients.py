#!/usr/bin/env python
"""Slow clients ("slowloris"): connections that send a request header one line at a time.

    .venv/bin/python bench/slowclients.py http://127.0.0.1:8080/ --connections 50 --interval 5 \\
        --duration 40

Each connection sends a request line, then one more header line every INTERVAL seconds and never
ends the header. When the server cuts it off (nginx: client_header_timeout) it connects again,
as an attacker would. bench/load.py runs it while wrk measures the site. Standard library only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit


@dataclass
class SlowStats:
    connections: int = 0  # opened, reconnections included
    cut_off: int = 0  # closed or reset by the server before the header was complete
    answered: int = 0  # the server sent a response (408, 400…) before closing
    failed: int = 0  # could not connect
    lines: int = 0  # header lines sent
    lifetimes: list[float] = field(default_factory=list)  # seconds each cut-off connection lived

    def summary(self) -> str:
        if not self.lifetimes:
            held = "no connection was cut off"
        else:
            ordered = sorted(self.lifetimes)
            held = f"cut off after {ordered[len(ordered) // 2]:.1f} s (median)"
        return (
            f"{self.connections} connections, {self.lines} header lines sent; {self.cut_off} cut"
            f" off by the server ({self.answered} with a response), {held};"
            f" {self.failed} failed to connect"
        )


async def _one(
    host: str, port: int, path: str, interval: float, until: float, s: SlowStats
) -> None:
    number = 0
    while time.monotonic() < until:
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            s.failed += 1
            await asyncio.sleep(0.5)
            continue
        s.connections += 1
        opened = time.monotonic()
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n".encode())
            await writer.drain()
            while (left := until - time.monotonic()) > 0:
                try:
                    data = await asyncio.wait_for(reader.read(4096), timeout=min(interval, left))
                except TimeoutError:
                    number += 1
                    writer.write(f"X-Slow-{number}: {'a' * 16}\r\n".encode())
                    await writer.drain()
                    s.lines += 1
                    continue
                s.answered += bool(data)
                s.cut_off += 1
                s.lifetimes.append(time.monotonic() - opened)
                break
        except OSError:  # reset (nginx: reset_timedout_connection) or broken pipe
            s.cut_off += 1
            s.lifetimes.append(time.monotonic() - opened)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def trickle(url: str, connections: int, interval: float, duration: float) -> SlowStats:
    """Keep `connections` slow clients on the server for `duration` seconds."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    stats = SlowStats()
    until = time.monotonic() + duration
    tasks = [
        _one(host, port, parts.path or "/", interval, until, stats) for _ in range(connections)
    ]
    await asyncio.gather(*tasks)
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between lines")
    parser.add_argument("--duration", type=float, default=40.0, help="seconds in all")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)
    stats = asyncio.run(trickle(args.url, args.connections, args.interval, args.duration))
    print(json.dumps(asdict(stats)) if args.json else stats.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
