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
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "helpcenter.middleware.SessionActivity",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers and a writer work at once (gunicorn workers); NORMAL sync is safe in WAL.
    # IMMEDIATE takes the write lock up front, so concurrent writers wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Big scans start at the table's beginning, so a search gives the same results every time.
    # Client-side parameter binding (Django's default) is kept on purpose: search sends
    # "SET LOCAL …; SELECT …" in one round trip, which server-side binding cannot carry.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"options": "-c synchronize_seqscans=off", "server_side_binding": False}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url: str | None) -> dict[str, dict[str, object]]:
    """`redis://…` selects Django's own Redis backend; nothing selects local memory.

    `ratelimit` holds the rate limits' counters (django-ratelimit), which every worker must
    share: Redis when there is one, otherwise files in `.cache/ratelimit/` (shared by the
    workers of one machine, as under `make run`; local memory would give each worker its own).
    """
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
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
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": files,
    }


CACHES = cache_from_url(os.environ.get("CACHE_URL"))

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
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The canonical origin used in <link rel=canonical>, JSON-LD and the sitemap.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = _("Login Help")  # the brand, in the visitor's language (ログインヘルプ in Japanese)

# Strict CSP: everything from our own origin, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
CSRF_FAILURE_VIEW = "helpcenter.errors.csrf_failure"

# Rate limits of what visitors send (django-ratelimit): counted in the `ratelimit` cache (see
# cache_from_url), so with several app servers CACHE_URL must point at the shared Redis. Behind a proxy, name the header
# that carries the client's address (for example HTTP_X_REAL_IP); by default REMOTE_ADDR.
RATELIMIT_VIEW = "helpcenter.errors.too_many_requests"
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or None
if RATELIMIT_IP_META_KEY:  # the same client address for the staff lockout
    AXES_IPWARE_META_PRECEDENCE_ORDER = (RATELIMIT_IP_META_KEY, "REMOTE_ADDR")
LOCALE_PATHS = [BASE_DIR / "locale"]
