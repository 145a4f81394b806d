# Two entry points matter: `make demo` (audit the bundled example deployment) and
# `make test` (every test). Both set up what they need on a fresh machine.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
EXAMPLE ?= examples/dev-local-install

# SARIF is validated with Microsoft's SARIF Multitool (npm), which also ships the
# official sarif-2.1.0.json schema; the tests skip with a reason where npm is absent.
NPM_DIR    := $(VENV)/npm
SARIF_TOOL := $(NPM_DIR)/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json

.PHONY: all setup sysdeps test demo demo-prod bench yang clean

all: test

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

setup: $(STAMP)

# System tools the tests use: yanglint (oper-data validation) and chromium (HTML
# report rendering). Installed only when missing and only where apt-get can run;
# tests that need them skip with a reason otherwise.
sysdeps:
	@if ! command -v yanglint >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1 \
	    || ! command -v npm >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing libyang2-tools chromium npm (apt-get)"; \
	    apt-get update -qq >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libyang2-tools chromium \
	      $$(command -v npm >/dev/null 2>&1 || echo npm) >/dev/null; \
	  else echo "warning: yanglint/chromium missing and apt-get unavailable; those tests will skip"; fi; \
	fi

$(SARIF_TOOL): | $(STAMP)
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-audit --no-fund --prefix $(NPM_DIR) @microsoft/sarif-multitool@5.7.0 \
	    || echo "warning: npm install of the SARIF Multitool failed: SARIF validation tests will skip"; \
	else echo "warning: npm missing: SARIF validation tests will skip"; fi

test: setup sysdeps
	@$(MAKE) --no-print-directory $(SARIF_TOOL)
	$(BIN)/python -m pytest -q

demo: setup
	-$(BIN)/secure-deploy audit --config-dir $(EXAMPLE)/etc --run-dir $(EXAMPLE)/run --nso-version 6.4 --fail-on critical
	@echo
	@echo "(exit code ignored for the demo: the example is a development install and is meant to fail)"

bench: setup
	$(BIN)/python bench/run.py

yang:
	$(MAKE) -C packages/secure-deploy/src

clean:
	rm -rf $(VENV) .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
