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

.PHONY: all setup sysdeps test compat demo demo-prod bench yang package clean manifest manifest-check fuzz

all: test

$(STAMP): pyproject.toml
	@# setuptools-era editable installs left egg-info inside the NSO package folder
	rm -rf packages/secure-deploy/python/*.egg-info
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
	@$(MAKE) --no-print-directory compat

# The package must run on Python 3.10 (NSO 6.4's minimum) through 3.13 (no crypt
# module): the suite runs again under each of those interpreters found on this
# machine (pyenv or PATH); a missing one is reported, not faked.
COMPAT_PYTHONS ?= 3.10 3.13
compat:
	@for v in $(COMPAT_PYTHONS); do \
	  py=$$(ls -d /root/.pyenv/versions/$$v.*/bin/python 2>/dev/null | tail -n 1); \
	  [ -n "$$py" ] || py=$$(command -v python$$v || true); \
	  if [ -z "$$py" ]; then echo "compat: python$$v not found, not tested"; continue; fi; \
	  echo "compat: Python $$v ($$py)"; \
	  [ .venv-$$v/.installed -nt pyproject.toml ] || { $$py -m venv .venv-$$v && .venv-$$v/bin/pip install -q -e '.[test]' \
	    && touch .venv-$$v/.installed; } || exit 1; \
	  .venv-$$v/bin/python -m pytest -q -p no:cacheprovider > .venv-$$v/pytest.log 2>&1; rc=$$?; \
	  if [ $$rc -ne 0 ]; then tail -n 40 .venv-$$v/pytest.log; exit 1; fi; \
	  tail -n 1 .venv-$$v/pytest.log; \
	done

demo: setup
	-$(BIN)/secure-deploy audit --config-dir $(EXAMPLE)/etc --run-dir $(EXAMPLE)/run --nso-version 6.4 --fail-on critical
	@echo
	@echo "(exit code ignored for the demo: the example is a development install and is meant to fail)"

# The hardened example: no rule fails (the host rules and SD-KEYS-003 are MANUAL: --no-host
# does not inspect the host, so its user and file modes are left to a person). git does not keep the
# keys file's mode, so restore what SD-KEYS-003 expects first.
demo-prod: setup
	chmod 600 examples/prod-system-install/etc/ncs.crypto_keys
	$(BIN)/secure-deploy audit --config-dir examples/prod-system-install/etc \
	  --run-dir examples/prod-system-install/run --nso-version 6.4 --no-host

bench: setup
	$(BIN)/python bench/run.py

# The property-based safety suite (test/test_safety_properties.py) at length: random
# (not the seeded CI run), FUZZ_EXAMPLES generated inputs per command.
FUZZ_EXAMPLES ?= 5000
fuzz: setup
	SECURE_DEPLOY_HYPOTHESIS_PROFILE=fuzz SECURE_DEPLOY_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
	  $(BIN)/python -m pytest -q -p no:cacheprovider test/test_safety_properties.py

yang:
	$(MAKE) -C packages/secure-deploy/src

# dist/secure-deploy-<version>.tar.gz: the NSO package folder (unpack into a packages
# directory, then make -C secure-deploy/src); plus the wheel and sdist of the command.
package: setup
	$(BIN)/python tools/nso_package.py --out dist
	$(BIN)/python -m pip install -q build
	$(BIN)/python -m build --outdir dist .

clean:
	rm -rf $(VENV) .venv-3.* .pytest_cache dist build packages/secure-deploy/python/*.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# The NSO Python API manifest (test/ncs_double/nso-api-manifest.json) is generated
# from NSO's pyapi reference pages; tests read only the committed file.
# `make manifest` regenerates it, `make manifest-check` fails when it is out of date.
NSO_PYAPI ?= ../shared/reference/nso-docs/pyapi
manifest:
	$(PY) tools/nso_api_manifest.py $(NSO_PYAPI)
manifest-check:
	$(PY) tools/nso_api_manifest.py $(NSO_PYAPI) --check
