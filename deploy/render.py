#!/usr/bin/env python
"""Write nginx's configuration from deploy/nginx.conf.template (for bin/serve-prod, bench/load.py).

    python deploy/render.py --listen 127.0.0.1:8080 --upstream unix:/abs/.run/gunicorn.sock \\
        --static-root /abs/staticfiles --run-dir /abs/.run/nginx

writes RUN_DIR/nginx.conf (and creates RUN_DIR/tmp); then `nginx -p RUN_DIR/ -c nginx.conf -e
stderr` runs it in the foreground. Standard library only; paths must be absolute.
"""

from __future__ import annotations

import argparse
import ipaddress
import re
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
TEMPLATE = DEPLOY / "nginx.conf.template"
ERRORS = DEPLOY / "errors"
# Debian's libnginx-mod-http-brotli-static: serves the .br files whitenoise writes.
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")

# Status nginx makes (or gets from a client) -> the status sent and its page in deploy/errors/.
# 494 is nginx's "request header too large", sent as 400.
ERROR_PAGES = {
    400: 400,
    494: 400,
    403: 403,
    404: 404,
    405: 405,
    408: 408,
    413: 413,
    414: 414,
    429: 429,
    500: 500,
    502: 502,
    503: 503,
    504: 504,
}
API_JSON = (429, 500, 502, 503, 504)  # under /api/ these answer JSON, as the app's API does


def error_pages(api: bool) -> str:
    lines = []
    for code, sent in ERROR_PAGES.items():
        name = f"api/{sent}.json" if api and sent in API_JSON else f"{sent}.html"
        lines.append(f"error_page {code} ={sent} /_errors/{name};")
    return "\n".join(lines)


# In a proxied location: the app's own headers pass untouched (nginx adds none of the security
# headers there: the app sends them), and its Vary gets Accept-Encoding in the same header.
PROXY_VARY = """gzip_vary off;
proxy_hide_header Vary;
add_header Vary $vary_with_encoding always;"""


def static_block(args: argparse.Namespace, brotli: bool) -> str:
    if args.static_via_app or not brotli:
        # Without brotli_static, whitenoise (in the app) serves /static/: it sends .br and .gz
        # itself, with the same long cache for hashed names.
        return f"{PROXY_VARY}\nproxy_pass http://app;  # whitenoise: brotli, gzip, far-future cache"
    return "\n".join(
        [
            f"alias {args.static_root}/;",
            "try_files $uri =404;  # a folder (/static/css/) is not found, not forbidden",
            "gzip_static on;  # whitenoise's .gz beside each file",
            "brotli_static on;  # and its .br",
            "open_file_cache max=2000 inactive=60s;",
            "open_file_cache_valid 10s;",
            f"include {DEPLOY}/security-headers.conf;",
            "add_header Cache-Control $static_cache_control always;",
            "charset utf-8;",
            "charset_types text/css application/javascript image/svg+xml text/plain;",
        ]
    )


def limits(args: argparse.Namespace) -> str:
    lines = []
    if args.limit_req_rate > 0:
        burst = f" burst={args.limit_req_burst} nodelay" if args.limit_req_burst > 0 else ""
        lines.append(f"limit_req zone=app_rate{burst};")
    if args.limit_conn > 0:
        lines.append(f"limit_conn app_conn {args.limit_conn};")
    return (
        "\n".join(lines) or "# no per-client limits (render.py --limit-req-rate 0 --limit-conn 0)"
    )


def render(args: argparse.Namespace) -> tuple[str, str]:
    """The configuration, and one line saying how static files are served."""
    brotli = {"on": True, "off": False, "auto": BROTLI_MODULE.is_file()}[args.brotli]
    proxies = [str(ipaddress.ip_network(p.strip())) for p in args.trusted_proxies.split(",") if p]
    real_ip = [f"set_real_ip_from {p};" for p in proxies]
    if real_ip:
        real_ip += ["real_ip_header X-Forwarded-For;", "real_ip_recursive on;"]
    keepalive = ["# no keep-alive to the app (render.py --upstream-keepalive 0)"]
    if args.upstream_keepalive > 0:
        # Shorter than gunicorn's keepalive (deploy/gunicorn.conf.py), so that nginx, not
        # gunicorn, closes an idle connection: never a request sent on a closing one.
        keepalive = [
            f"keepalive {args.upstream_keepalive};",
            f"keepalive_timeout {args.upstream_keepalive_timeout}s;",
            "keepalive_requests 1000;",
        ]
    hsts = ""
    if args.hsts_seconds > 0:
        hsts = f"max-age={args.hsts_seconds}; includeSubDomains; preload"
    values = {
        "LOAD_MODULES": f"load_module {BROTLI_MODULE};"
        if brotli and not args.static_via_app
        else "",
        "WORKER_PROCESSES": args.worker_processes,
        "RUN_DIR": str(args.run_dir),
        "ACCESS_LOG": "off" if args.access_log == "off" else f"{args.access_log} json",
        "REAL_IP": "\n".join(real_ip)
        or "# no trusted proxy in front (render.py --trusted-proxies)",
        "TRUSTED_PROXY_GEO": "\n".join(f"{p} 1;" for p in proxies),
        "HSTS": hsts,
        "LIMIT_REQ_RATE": str(max(args.limit_req_rate, 1)),
        "GZIP_LEVEL": str(args.gzip_level),
        "UPSTREAM": args.upstream,
        "UPSTREAM_KEEPALIVE": "\n".join(keepalive),
        "LISTEN": args.listen,
        "ERROR_PAGES": error_pages(api=False),
        "API_ERROR_PAGES": error_pages(api=True),
        "PROXY_READ_TIMEOUT": str(args.proxy_read_timeout),
        "LIMITS": limits(args),
        "PROXY_VARY": PROXY_VARY,
        "STATIC": static_block(args, brotli),
        "ERRORS_DIR": str(ERRORS),
        "DEPLOY_DIR": str(DEPLOY),
    }

    def fill(match: re.Match[str]) -> str:
        indent, name = match.group(1), match.group(2)
        return "\n".join(indent + line if line else line for line in values[name].split("\n"))

    names = "|".join(values)
    text = re.sub(rf"^([ \t]*)@({names})@", fill, TEMPLATE.read_text(), flags=re.MULTILINE)
    text = re.sub(rf"@({names})@", lambda m: values[m.group(1)], text)
    if args.static_via_app:
        how = "static files: whitenoise in the app (--static-via-app)"
    elif brotli:
        how = f"static files: nginx from {args.static_root} (gzip_static, brotli_static)"
    else:
        how = f"static files: whitenoise in the app ({BROTLI_MODULE.name} is not installed)"
    return text, how


def absolute(value: str) -> Path:
    path = Path(value)
    if not path.is_absolute():
        raise argparse.ArgumentTypeError(f"{value}: an absolute path, please")
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    add = parser.add_argument
    add("--listen", default="127.0.0.1:8080", help="nginx's listen address (default %(default)s)")
    add("--upstream", required=True, help="gunicorn: HOST:PORT or unix:/abs/path.sock")
    add("--static-root", type=absolute, required=True, help="Django's STATIC_ROOT")
    add("--run-dir", type=absolute, required=True, help="pid, temporary files, logs")
    add("--output", type=absolute, help="where to write (default RUN_DIR/nginx.conf)")
    add("--access-log", default="", help="a path, or off (default RUN_DIR/access.log)")
    add("--worker-processes", default="auto", help="nginx workers (default %(default)s)")
    add("--gzip-level", type=int, default=5, choices=range(1, 10), metavar="1-9")
    add("--limit-req-rate", type=int, default=50, help="requests/s per client; 0: no limit")
    add("--limit-req-burst", type=int, default=200, help="burst above the rate (default 200)")
    add("--limit-conn", type=int, default=100, help="connections per client; 0: no limit")
    add("--trusted-proxies", default="", help="CIDRs of the load balancers, comma-separated")
    add("--hsts-seconds", type=int, default=0, help="HSTS on nginx's own HTTPS responses")
    add("--proxy-read-timeout", type=int, default=15, help="seconds (default 15)")
    add("--upstream-keepalive", type=int, default=16, help="idle connections kept; 0: none")
    add("--upstream-keepalive-timeout", type=int, default=4, help="seconds (default 4)")
    add("--brotli", choices=["auto", "on", "off"], default="auto", help="brotli_static module")
    add("--static-via-app", action="store_true", help="whitenoise serves /static/, not nginx")
    args = parser.parse_args(argv)
    args.access_log = args.access_log or str(args.run_dir / "access.log")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    text, how = render(args)
    (args.run_dir / "tmp").mkdir(parents=True, exist_ok=True)
    output = args.output or args.run_dir / "nginx.conf"
    output.write_text(text)
    print(f"{output}: {how}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
