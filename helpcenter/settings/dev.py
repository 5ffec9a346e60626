"""`make dev`: DEBUG on, everything else as base."""

from .base import *  # noqa: F403

DEBUG = True
