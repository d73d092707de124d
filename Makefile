# The two commands: `make run` and `make test`. Everything else is what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := src/fanzha/static/vendor/htmx/htmx.min.js

.PHONY: run test lint typecheck check ci venv assets debian clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "fanzha needs Python 3.11 or newer"'
	@PYTHON=$(PYTHON) scripts/debian-packages.sh base
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

$(ASSETS): package.json package-lock.json scripts/vendor-assets.sh
	@scripts/debian-packages.sh base
	scripts/vendor-assets.sh

assets: $(ASSETS)

debian:
	@scripts/debian-packages.sh $(or $(PURPOSE),run)

run: venv assets
	@scripts/debian-packages.sh run
	$(BIN)/fanzha migrate --no-input
	$(BIN)/fanzha demo --if-empty
	$(BIN)/fanzha run --host 127.0.0.1 --port 8000

test: venv assets
	@scripts/debian-packages.sh test
	FANZHA_ENV=test $(BIN)/python -m pytest -p no:cacheprovider -q $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: venv
	$(BIN)/mypy src/fanzha/core/pii src/fanzha/audit/chain.py src/fanzha/screening src/fanzha/tracing

check: venv assets
	FANZHA_ENV=production SECRET_KEY=$$(python3 -c 'import secrets;print(secrets.token_urlsafe(60))') \
	FANZHA_PII_KEY=$$($(BIN)/python -c 'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())') \
	ALLOWED_HOSTS=fanzha.example DATABASE_URL=sqlite:///$(CURDIR)/var/check.sqlite3 \
	$(BIN)/fanzha check --deploy --fail-level WARNING
	$(BIN)/fanzha makemigrations --check --dry-run

ci:
	bash .ci/run

# Rebuild the committed screening models (src/fanzha/screening/models/) from ../shared/data.
.PHONY: models
models: venv
	$(BIN)/python -m fanzha.screening.train --data $(or $(FANZHA_SCREEN_DATA),../shared/data)

clean:
	rm -rf $(VENV) node_modules src/fanzha/static/vendor
