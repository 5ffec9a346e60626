"""`make dev`: DEBUG on, everything else as base."""

from .base import *  # noqa: F403

DEBUG = True
STAFF_OTP_REQUIRED = False  # make dev: the admin without a second factor
