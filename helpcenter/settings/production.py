"""Production: PostgreSQL (DATABASE_URL), Redis (CACHE_URL), gunicorn + whitenoise behind a proxy.

Refuses to start without SECRET_KEY, ALLOWED_HOSTS and SITE_URL.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production")
    return value


SECRET_KEY = required("SECRET_KEY")
# The origin visitors use: canonical links, the sitemap and the API's URLs are built from it.
SITE_URL = required("SITE_URL").rstrip("/")
if not SITE_URL.startswith(("https://", "http://")) or "/" in SITE_URL.split("://", 1)[1]:
    raise ImproperlyConfigured("SITE_URL must be an origin such as https://help.example.jp")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")
DEBUG = False

# TLS ends at the load balancer, which tells us the scheme.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
STAFF_OTP_REQUIRED = True  # every staff user signs in with a TOTP code, whatever the environment
