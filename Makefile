# pouls: `make run` starts the demo, `make test` runs the whole suite. `make help` lists the rest.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOME_DIR ?= .pouls

.DEFAULT_GOAL := help
.PHONY: help run test bench lint fmt models services browser pdf demo clean translations

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP) pdf ## Create .venv, install, load the demo data and start pouls on http://127.0.0.1:8000
	$(BIN)/pouls --home $(HOME_DIR) demo --if-missing
	$(BIN)/pouls --home $(HOME_DIR) up

test: $(STAMP) browser pdf services ## Create .venv if needed, install, run the whole suite
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(STAMP) ## Run the benchmarks; results as JSON in bench/results/
	$(BIN)/python -m bench

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy src/pouls

fmt: $(STAMP) ## Format and fix what ruff can
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

models: $(STAMP) ## Retrain every shipped model from ../shared/datasets
	$(BIN)/python -m scripts.models

pdf: ## Install Debian's Pango, which WeasyPrint lays PDF reports out with, when it is missing
	@ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || { \
	  echo "Installing Debian's Pango for PDF reports..."; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; fi; }

browser: ## Install Debian's chromium for the browser tests when it is missing
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

services: ## Start the local services the tests talk to when they are down
	@bash scripts/services.sh

translations: $(STAMP) ## Extract messages, update the French catalogue, list what to translate
	$(BIN)/python -m scripts.translations

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) $(HOME_DIR)
