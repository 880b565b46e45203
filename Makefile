# streamgauge — every target sets itself up on a fresh machine.
PYTHON ?= python3.11
UV_VERSION := 0.13.9
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
# Child processes (dbt, dg) run from the project's environment.
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export PATH := $(VIRTUAL_ENV)/bin:$(PATH)
export DAGSTER_HOME := $(CURDIR)/.dagster_home

.PHONY: help setup browser demo test bench lock lint check docs dev clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@echo "==> creating $(VENV) and installing the locked environment"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@$(UV) pip sync --quiet --python $(PY) requirements.lock
	@$(UV) pip install --quiet --python $(PY) --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml
	@mkdir -p $(DAGSTER_HOME) && cp $< $@

setup: $(STAMP) $(DAGSTER_HOME)/dagster.yaml ## create the virtual environment from the lock file

demo: setup ## run the whole pipeline on the simulated organisation and print the summary (CORRUPT=<kind> to see the gates hold bad data)
	@$(PY) -m orchestration.cli demo $(if $(CORRUPT),--corrupt $(CORRUPT),)

# The report's browser test drives Debian's chromium through chromedriver. Installed when missing
# (root, or password-less sudo); where it cannot be, the test skips and says why.
CHROMIUM := /usr/bin/chromium
CHROMEDRIVER := /usr/bin/chromedriver
BROWSER_PACKAGES := chromium chromium-driver
BROWSER_NOTE := $(VENV)/.browser-unavailable

browser: ## install chromium and chromium-driver (Debian) for the report's browser test, if missing
	@if [ -x $(CHROMIUM) ] && [ -x $(CHROMEDRIVER) ]; then rm -f $(BROWSER_NOTE); exit 0; fi; \
	mkdir -p $(VENV); note() { echo "==> $$1; the report's browser test will be skipped"; echo "$$1" > $(BROWSER_NOTE); }; \
	if ! command -v apt-get >/dev/null 2>&1; then note "no apt-get: install chromium and chromedriver yourself"; exit 0; fi; \
	sudo=""; if [ "$$(id -u)" -ne 0 ]; then \
	  if sudo -n true 2>/dev/null; then sudo="sudo -n"; else note "not root: run 'sudo apt-get install $(BROWSER_PACKAGES)'"; exit 0; fi; \
	fi; \
	echo "==> installing $(BROWSER_PACKAGES) (Debian packages, for the report's browser test)"; \
	log=$$(mktemp); install="$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES)"; \
	if $$install >$$log 2>&1 || { $$sudo apt-get update -qq >>$$log 2>&1 && $$install >>$$log 2>&1; }; then \
	  rm -f $$log $(BROWSER_NOTE); \
	else tail -n 5 $$log; rm -f $$log; note "apt-get could not install $(BROWSER_PACKAGES)"; fi

# Two workers: the long shared pipeline runs on one while the model tests run on the other
# (tests/conftest.py groups the tests so each fixture is still built once).
TEST_WORKERS ?= 2

test: setup browser ## run the test suite (TEST_WORKERS=1 for one process)
	@$(PY) -m pytest $(if $(filter 1,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadgroup)

bench: setup ## measure speed and memory (small size by default; SIZES=... for more, BASE=... items landed per copy)
	@$(PY) -m orchestration.cli bench $(if $(SIZES),--sizes $(SIZES),) $(if $(BASE),--base $(BASE),)

dev: setup ## open the Dagster UI on the configured sources (streamgauge.yml)
	@$(VENV)/bin/dg dev

docs: setup ## regenerate the README's mart reference from the dbt model docs
	@$(PY) -m orchestration.cli docs

check: setup ## validate the Dagster definitions
	@$(VENV)/bin/dg check defs

lint: setup ## static checks
	@$(VENV)/bin/ruff check extractors orchestration tests

lock: ## re-resolve requirements.lock from pyproject.toml
	@test -x $(UV) || { $(PYTHON) -m venv $(VENV) && $(VENV)/bin/pip install --quiet uv==$(UV_VERSION); }
	@$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean: ## remove the environment and generated data
	rm -rf $(VENV) data .dagster_home dbt_project/target dbt_project/logs
