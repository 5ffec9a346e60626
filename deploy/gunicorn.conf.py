"""gunicorn behind nginx (deploy/nginx.conf.template):

    gunicorn -c deploy/gunicorn.conf.py helpcenter.wsgi:application

nginx buffers whole requests and whole responses, so a worker only ever talks to nginx at
loopback speed and is busy only while Django works: sync workers, one request each.

Measured on this 2-CPU machine (PostgreSQL + Redis, the mix of bench/load.py at 16 connections,
4 s runs taken in turn, another process using about one CPU meanwhile; medians of 4 rounds):

    3 sync workers          308 req/s, p99  77 ms, 4.6 ms gunicorn CPU per request, 237 MB PSS
    5 sync (2 * cores + 1)  284 req/s, p99 101 ms, 5.0 ms,                             350 MB
    gthread 2 x 4 threads   271 req/s, p99 157 ms, 5.2 ms,                             175 MB
    gthread 3 x 2 threads   289 req/s, p99 136 ms, 5.0 ms
    at 64 connections: 3 sync 165 req/s p99 0.5 s; 5 sync 153, 0.55 s; gthread 2 x 4 167, 1.9 s

Throughput is the same within the noise; threads that share one interpreter (GIL) give much
longer tails, more workers more memory and switching. Hence sync, cores + 1 workers (one to
cover the moments another waits on PostgreSQL or Redis). gthread's `timeout` would also not
stop a request stuck in a thread. A unix socket and loopback TCP cost the same (4.1 vs 4.3 ms).
"""

import os

_cores = os.cpu_count() or 1

# GUNICORN_BIND: HOST:PORT or unix:/path (comma-separated for several); bin/serve-prod uses a unix
# socket in .run/.
bind = [
    b.strip() for b in os.environ.get("GUNICORN_BIND", "127.0.0.1:8001").split(",") if b.strip()
]

# Workers: the app is CPU-bound (templates, Python); see the measurements above.
# WEB_CONCURRENCY overrides; GUNICORN_WORKER_CLASS=gthread and GUNICORN_THREADS to try threads.
workers = int(os.environ.get("WEB_CONCURRENCY") or _cores + 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))

# A request that takes longer than this (a hung database call) gets its worker killed and
# replaced (sync workers: the arbiter sees no heartbeat), before nginx gives up at
# proxy_read_timeout (15 s) and answers 504 with its Japanese page.
timeout = 14
graceful_timeout = 20  # SIGTERM: finish what is in flight, then exit
# Idle keep-alive connections from nginx (gthread only; sync workers close after each
# response): longer than nginx's upstream keepalive_timeout (4 s), so nginx closes them first.
keepalive = 5

# Recycle workers now and then (a slow leak in a library stays bounded), not all at once. Not
# too often: a new worker starts with empty per-process caches (and, without Redis, an empty
# page cache). At 100 requests/s per worker this is every 3 to 4 minutes.
max_requests = 20000
max_requests_jitter = 2000

# The proxy in front: trust its X-Forwarded-Proto (HTTPS at the load balancer) only from there.
# Over a unix socket gunicorn trusts the peer anyway (only processes on this machine connect).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Load the app once in the master and fork. Measured (3 sync workers): ready in 2.6 s instead of
# 7.3 s, and a recycled worker (max_requests) serves at once instead of importing Django for
# seconds on a busy CPU; memory is the same either way (237 vs 230 MB PSS after warm-up: the
# pages shared at fork do not stay shared). A broken release fails at start, in the master. A
# new release needs a restart (SIGTERM, start), not SIGHUP.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"

# Logs: nginx and the app (helpcenter.middleware.RequestLog) log every request already.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
# The workers' heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
proc_name = "loginhelp"
