"""Settings shared by every environment, read from the environment.

SQLite is the embedded default; `DATABASE_URL` (PostgreSQL) and `CACHE_URL` (Redis) switch to the
production services. Secrets have no defaults in `production.py`.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Only for local use; production.py refuses to start without a real one.
SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-local-only-key-do-not-use-in-production")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "helpcenter.apps.StaffAdminConfig",  # django.contrib.admin on the staff site (second factor)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_htmx",
    "template_partials",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "reversion",
    "articles",
    "diagnosis",
    "search",
    "feedback",
    "helpcenter",
]

MIDDLEWARE = [
    "helpcenter.middleware.RequestLog",  # outermost: a request id and one JSON line per request
    "helpcenter.middleware.HtmxErrorPage",  # every error page, shown in place for htmx
    "django.middleware.security.SecurityMiddleware",
    # The security headers come next, so every response has them: pages from the cache, static
    # files, and the 503 made when the database is unreachable.
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Below the CSRF middleware (which sets the token's cookie for a page with a token) and above
    # everything a cached page does not need.
    "helpcenter.pagecache.PageCache",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "helpcenter.middleware.SessionActivity",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "helpcenter.middleware.MethodNotAllowedPage",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "helpcenter.urls"
WSGI_APPLICATION = "helpcenter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpcenter.context_processors.site",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Seconds to wait for the database before a visitor gets the 503 page (helpcenter.errors): a
# database that refuses answers at once, one that never answers within this.
DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "3"))
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers and a writer work at once (gunicorn workers); NORMAL sync is safe in WAL.
    # IMMEDIATE takes the write lock up front, so concurrent writers wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": DB_CONNECT_TIMEOUT,  # how long a writer waits for the lock
        }
    )
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Big scans start at the table's beginning, so a search gives the same results every time.
    # Client-side parameter binding (Django's default) is kept on purpose: search sends
    # "SET LOCAL …; SELECT …" in one round trip, which server-side binding cannot carry.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "options": "-c synchronize_seqscans=off",
            "server_side_binding": False,
            "connect_timeout": DB_CONNECT_TIMEOUT,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url: str | None) -> dict[str, dict[str, object]]:
    """`redis://…` selects Redis (django-redis); nothing selects local memory.

    `default` holds the page cache (`helpcenter.pagecache`); `ratelimit` the rate limits'
    counters (django-ratelimit), which every worker must share: Redis when there is one,
    otherwise files in `.cache/ratelimit/` (shared by the workers of one machine, as under
    `make run`; local memory would give each worker its own).

    Redis that does not answer is not an error: django-redis gives up after `REDIS_TIMEOUT`
    seconds and its errors are ignored (logged), so pages are served uncached and rate limits
    are not counted until it is back.
    """
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        timeout = float(os.environ.get("REDIS_TIMEOUT", "0.25"))
        redis = {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": timeout,
                "SOCKET_TIMEOUT": timeout,
                "IGNORE_EXCEPTIONS": True,
            },
        }
        return {
            "default": {**redis, "KEY_PREFIX": "loginhelp"},
            "ratelimit": {**redis, "KEY_PREFIX": "loginhelp-rl"},
        }
    files: dict[str, object] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(BASE_DIR / ".cache" / "ratelimit"),
    }
    if url and url.startswith("dummy://"):
        return {
            "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
            "ratelimit": files,
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
        "ratelimit": files,
    }


CACHES = cache_from_url(os.environ.get("CACHE_URL"))
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True  # a Redis outage shows in the log, not to visitors
# The page cache (helpcenter.pagecache): on unless PAGE_CACHE=0; how long an entry is kept (it is
# never stale: a change of content changes every key); how long a CDN may keep a page (0: it
# revalidates every time, like a browser). See docs/ARCHITECTURE.md, "Caching".
PAGE_CACHE = env_bool("PAGE_CACHE", True)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "3600"))
CDN_MAX_AGE = int(os.environ.get("CDN_MAX_AGE", "0"))
# PostgreSQL: each process keeps one more connection that LISTENs for content changes, so a
# cached page needs no query (articles.version._Watch); 0 reads the version on every request.
CONTENT_VERSION_LISTEN = env_bool("CONTENT_VERSION_LISTEN", True)
# /readyz: a load balancer stops sending this server visitors when Redis is configured and does
# not answer (rate limits would not be counted); READYZ_REQUIRE_CACHE=0 keeps serving then.
READYZ_REQUIRE_CACHE = env_bool("READYZ_REQUIRE_CACHE", True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff sign-in. Only staff have accounts: visitors never sign in and get no session.
# The admin asks for a TOTP code (django-otp) unless STAFF_OTP_REQUIRED is off (make dev, tests).
STAFF_OTP_REQUIRED = env_bool("STAFF_OTP_REQUIRED", True)
OTP_TOTP_ISSUER = "ログインヘルプ 管理"
# The admin's path: somewhere other than /admin/ keeps the noise of scanners out of the logs.
ADMIN_PATH = os.environ.get("ADMIN_PATH", "admin").strip("/") + "/"
# A staff session ends when the browser closes, and after an hour without a request.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", "3600"))
# helpcenter.middleware.SessionActivity moves a staff session's expiry on at most every 5 minutes.
# Lockout after repeated failures (django-axes): per user name and address, for 30 minutes or
# until a superuser unlocks it (admin: アクセスの試行, or `manage.py axes_reset_username`).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "helpcenter.errors.staff_locked_out"  # Japanese, 429, with the wait
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]

# Content health (admin): how long a "last checked" date stays fresh, and a draft untouched.
CONTENT_REVIEW_DAYS = int(os.environ.get("CONTENT_REVIEW_DAYS", "180"))
STALE_DRAFT_DAYS = int(os.environ.get("STALE_DRAFT_DAYS", "30"))

# Feedback and analytics (issue 11).
# Remedies within a cause are ordered by staff order blended with observed success
# (`diagnosis.learning`); off: the staff order only.
REMEDY_LEARNING = env_bool("REMEDY_LEARNING", True)
# Raw flow events and votes older than this are rolled up into daily counts (`rollup_events`).
EVENT_RETENTION_DAYS = int(os.environ.get("EVENT_RETENTION_DAYS", "400"))

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed (gzip and brotli) copies; the manifest is kept outside STATIC_ROOT so
    # that it is never served.
    "staticfiles": {"BACKEND": "helpcenter.staticfiles.Storage"},
}

# The canonical origin used in <link rel=canonical>, JSON-LD and the sitemap.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = _("Login Help")  # the brand, in the visitor's language (ログインヘルプ in Japanese)

# Strict CSP: nothing unless named; scripts, styles, images and htmx's requests from our own
# origin only; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Powerful browser features nobody here needs, switched off (django-permissions-policy).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Logs are JSON lines on stderr (python-json-logger). Each request is one line from
# helpcenter.middleware.RequestLog: request id, method, path without its query string, status,
# duration and cache outcome; nothing a visitor typed and no address.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_request": {"()": "helpcenter.middleware.DropRequest"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["no_request"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "helpcenter.requests": {
            "handlers": ["console"],
            "level": "INFO" if env_bool("REQUEST_LOG", True) else "WARNING",
            "propagate": False,
        },
        # 4xx are in the request log already; django.request would repeat them with the query.
        "django.request": {"level": "ERROR"},
        "django.security.DisallowedHost": {"level": "ERROR"},
    },
}
CSRF_FAILURE_VIEW = "helpcenter.errors.csrf_failure"

# Rate limits of what visitors send (django-ratelimit): counted in the `ratelimit` cache (see
# cache_from_url), so with several app servers CACHE_URL must point at the shared Redis. Behind a proxy, name the header
# that carries the client's address (for example HTTP_X_REAL_IP); by default REMOTE_ADDR.
RATELIMIT_VIEW = "helpcenter.errors.too_many_requests"
RATELIMIT_USE_CACHE = "ratelimit"
# With Redis down nothing is counted and nobody is refused: the help center stays open (the
# outage is logged, and /readyz reports it).
RATELIMIT_FAIL_OPEN = True
RATELIMIT_CLIENT_HEADER = os.environ.get("RATELIMIT_IP_META_KEY") or None
# django-ratelimit asks this function (falls back to REMOTE_ADDR when the header is missing).
RATELIMIT_IP_META_KEY = "helpcenter.errors.client_address"
if RATELIMIT_CLIENT_HEADER:  # the same client address for the staff lockout
    AXES_IPWARE_META_PRECEDENCE_ORDER = (RATELIMIT_CLIENT_HEADER, "REMOTE_ADDR")
LOCALE_PATHS = [BASE_DIR / "locale"]
