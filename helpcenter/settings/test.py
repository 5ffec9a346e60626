"""Test settings: fast hasher, plain static storage, the same database switch as base."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"},
}

# Tests serve static files from the source folders (no collectstatic needed in a fresh clone).
# WhiteNoise wants STATIC_ROOT to exist: one empty folder, reused by every run (not one per run).
STATIC_ROOT = Path(tempfile.gettempdir()) / "loginhelp-test-static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tests run inside transactions that never commit, so no change would ever be notified: the
# content version is read on every request, except in the tests of listening itself.
CONTENT_VERSION_LISTEN = env_bool("CONTENT_VERSION_LISTEN", False)  # noqa: F405

# The admin's second factor is off except in the tests that check it (override_settings).
STAFF_OTP_REQUIRED = False

# The request log is tested where it matters (caplog); elsewhere it would only be noise.
LOGGING["loggers"]["helpcenter.requests"]["level"] = "WARNING"  # type: ignore[index]  # noqa: F405
