# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper of theirs.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
ADDR ?= 127.0.0.1:8000
TEST_ENV := DJANGO_SETTINGS_MODULE=config.settings.test
CHART_JS := static/vendor/chart.umd.min.js
# High-severity findings of bandit in our own code fail `make test`; SECURITY.md says what lower ones are and why.
BANDIT := $(BIN)/bandit --quiet --recursive . --exclude ./.venv,./tests,./node_modules,./staticfiles,./var,./.git \
	--severity-level high

.PHONY: run test lint install-run install-test screenshots totp clean audit

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.run-installed

install-run: $(VENV)/.run-installed
install-test: $(VENV)/.test-installed

# Front-end libraries come from package-lock.json and are served from our own static files (no CDN).
# The source map goes along: collectstatic's manifest storage follows the file's sourceMappingURL.
# The target is copied last, so a failed step leaves it missing or older than the lock, never half done.
$(CHART_JS): package.json package-lock.json
	npm ci --no-audit --no-fund
	mkdir -p $(@D)
	cp node_modules/chart.js/LICENSE.md $(@D)/chart.js.LICENSE.md
	cp node_modules/chart.js/dist/chart.umd.min.js.map $(@D)/
	cp node_modules/chart.js/dist/chart.umd.min.js $@

## make run: the whole product on one machine (SQLite, a local Celery worker, demo accounts).
run: install-run $(CHART_JS)
	@$(PY) manage.py migrate --noinput --verbosity 0
	@$(PY) manage.py collectstatic --noinput --verbosity 0
	@$(PY) manage.py install_vader_lexicon
	@$(PY) manage.py describe_setup
	@echo "Demo accounts:"
	@$(PY) manage.py seed_demo
	@echo "HR and admin accounts need a two-factor code: 'make totp EMAIL=hr@candor.test' prints it."
	@echo "Login codes and other e-mail are printed in this terminal."
	@echo "Open http://$(ADDR)/  (Ctrl-C stops the web server and the worker)"
	@VENV=$(VENV) scripts/run-local.sh $(ADDR)

## make test: lint, migrations check, the wall, then the whole pytest suite (browser tests where chromium is).
test: install-test $(CHART_JS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BANDIT)
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(TEST_ENV) $(PY) manage.py install_vader_lexicon
	@# The browser tests inject axe-core, an npm devDependency; node_modules may predate it.
	@test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund
	$(BIN)/pytest $(PYTEST_ARGS)

## make audit: known vulnerabilities in the pinned dependencies (pip-audit asks PyPI's advisory data, so it needs the
## network and is not part of make test), then bandit as in make test.
$(VENV)/.audit-installed: requirements-audit.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-audit.txt
	touch $@

audit: install-test $(VENV)/.audit-installed
	$(BIN)/pip-audit --strict --progress-spinner off --requirement requirements.txt --requirement requirements-dev.txt
	$(BANDIT)

## make bench-load: 32 employees submitting while 4 HR analysts browse, 60 s, through gunicorn, PostgreSQL, Redis and
## a Celery worker (bench/load.py; needs PostgreSQL and Redis on 127.0.0.1). BENCH_LOAD_ARGS="--seconds 15" for less.
.PHONY: bench-load
bench-load: install-test
	$(PY) bench/load.py $(BENCH_LOAD_ARGS)

## make screenshots: pictures of the key pages for the README (docs/screenshots/), from the demo data.
screenshots: install-test $(CHART_JS)
	$(PY) scripts/screenshots.py

totp:
	@$(PY) manage.py demo_totp $(EMAIL)

clean:
	rm -rf var staticfiles static/vendor node_modules .pytest_cache .ruff_cache
