# ログインヘルプ: `make run` serves the site, `make test` runs every test. Both install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/loginhelp

.PHONY: help install messages run dev serve test test-sqlite test-postgres lint format browser-deps services bench clean

help:
	@echo "make run   - install, migrate, load the content and serve http://$(HOST):$(PORT) (SQLite)"
	@echo "make test  - install and run the whole test suite (browser tests included)"
	@echo "make dev   - like run, with DEBUG on and auto-reload"
	@echo "make lint  - ruff and mypy"
	@echo "make bench - page, search and analytics benchmarks (see docs/PERFORMANCE.md)"
	@echo "make serve-prod - nginx + gunicorn + PostgreSQL + Redis, production settings, http://127.0.0.1:$(PROD_PORT)"
	@echo "make bench-load - the production stack under load (wrk); BENCH_ARGS=--quick for a short run"
	@echo "make bench-lighthouse - Lighthouse scores (mobile) of home, a cause and a flow result on the production stack"

$(UV):
	$(PYTHON) -m pip install --quiet --user "uv>=0.9"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(VENV)/.synced

# The Japanese catalogue: locale/ja/LC_MESSAGES/django.po is committed, the compiled .mo is not.
# msgfmt (gettext) comes from Debian.
messages: install
	@if ! command -v msgfmt >/dev/null; then \
		echo "Installing gettext (msgfmt) from Debian"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq gettext >/dev/null; \
	fi
	$(PY) manage.py compilemessages -l ja --ignore=.venv --ignore=node_modules -v0

db: install messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_content

run: db messages
	$(PY) manage.py collectstatic --noinput -v0
	@echo "ログインヘルプ: http://$(HOST):$(PORT)/"
	@echo "管理画面: http://$(HOST):$(PORT)/admin/ (最初のスタッフ: $(PY) manage.py createsuperuser のあと、"
	@echo "  $(PY) manage.py setup_staff_2fa ユーザー名 で認証アプリのQRコードとリカバリーコードを表示)"
	GUNICORN_BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py helpcenter.wsgi:application


dev: db messages
	DEBUG=1 DJANGO_SETTINGS_MODULE=helpcenter.settings.dev $(PY) manage.py runserver $(HOST):$(PORT)

# Chromium and Japanese fonts come from Debian; Playwright only drives them.
browser-deps:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "Installing Chromium and Japanese fonts from Debian"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

services:
	@bin/ensure-services

# Java runs the Nu HTML Checker (npm vnu-jar) in tests/browser/test_html_valid.py; it comes
# from Debian, like Chromium.
.PHONY: java-deps
java-deps:
	@if ! command -v java >/dev/null; then \
		echo "Installing Java (OpenJDK) from Debian"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless >/dev/null; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test-sqlite: install messages java-deps node_modules/.installed browser-deps prod-deps services
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install messages java-deps node_modules/.installed browser-deps prod-deps services
	DATABASE_URL=$${DATABASE_URL:-$(PG_TEST_URL)} $(PY) -m pytest $(PYTEST_ARGS)

# Under CI=true the suite runs on SQLite and again on PostgreSQL; locally, on PostgreSQL too
# when DATABASE_URL is set.
# The two runs go side by side (one per core); each one's output is printed when it ends.
test: lint
	@if [ "$$CI" = "true" ] || [ -n "$$DATABASE_URL" ]; then \
		$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres; \
	else \
		$(MAKE) --no-print-directory test-sqlite; \
	fi

# Benchmarks (figures in docs/PERFORMANCE.md): page throughput and weight on SQLite, then search
# latency on SQLite and PostgreSQL (hence `services`). They measure and never fail on a goal.
# BENCH_ARGS passes options: `make bench BENCH_ARGS=--quick` (both scripts take --quick);
# `make bench-search BENCH_ARGS="--db sqlite --sizes 1000,10000"`.
.PHONY: bench-pages bench-search bench-analytics bench-deps bench-load
bench: install messages services bench-deps
	$(PY) bench/pages.py $(BENCH_ARGS)
	$(PY) bench/search.py $(BENCH_ARGS)
	$(PY) bench/analytics.py $(BENCH_ARGS)

bench-pages: install messages bench-deps
	$(PY) bench/pages.py $(BENCH_ARGS)

bench-search: install messages services
	$(PY) bench/search.py $(BENCH_ARGS)

bench-analytics: install messages services
	$(PY) bench/analytics.py $(BENCH_ARGS)

# The production stack (nginx + gunicorn, bin/serve-prod) under wrk, on SQLite and on
# PostgreSQL + Redis; `make bench-load BENCH_ARGS=--quick` for a short try.
bench-load: install messages services bench-deps prod-deps
	$(PY) bench/load.py $(BENCH_ARGS)

# Lighthouse (npm, mobile) over home, a cause and a flow result on the production stack
# (bin/serve-prod, SQLite), median of 3 runs; `make bench-lighthouse BENCH_ARGS="--runs 1"`.
.PHONY: bench-lighthouse
bench-lighthouse: install messages node_modules/.installed browser-deps prod-deps
	$(PY) bench/lighthouse.py $(BENCH_ARGS)

# wrk (the load generator of bench/pages.py) comes from Debian; without it the script falls back
# to a slower Python client.
bench-deps:
	@if ! command -v wrk >/dev/null; then \
		echo "Installing wrk from Debian"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; \
	fi

# The production stack on this machine: nginx (from Debian, installed when missing) in front of
# gunicorn, PostgreSQL and Redis, the production settings; http://127.0.0.1:$(PROD_PORT)/.
# deploy/README.md explains the pieces; `bin/serve-prod --help` the options.
PROD_PORT ?= 8080
.PHONY: serve-prod prod-deps
serve-prod:
	PORT=$(PROD_PORT) bin/serve-prod

prod-deps:
	@bin/serve-prod --install-only

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .mypy_cache .ruff_cache
