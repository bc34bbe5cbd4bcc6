# The project's interface. `make run` and `make test` create whatever is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# pyenv keeps python3.10 out of PATH unless it is the active version: find it either way.
PYTHON310 ?= $(shell command -v python3.10 >/dev/null 2>&1 && python3.10 -c '' >/dev/null 2>&1 && echo python3.10 \
	|| ls -d $$HOME/.pyenv/versions/3.10.*/bin/python3.10 2>/dev/null | tail -n 1)
PYTHON311 ?= $(shell command -v python3.11 >/dev/null 2>&1 && python3.11 -c '' >/dev/null 2>&1 && echo python3.11 \
	|| ls -d $$HOME/.pyenv/versions/3.11.*/bin/python3.11 2>/dev/null | tail -n 1)

RASA_ENV := .venv-rasa
APP_ENV := .venv-app
RASA := $(RASA_ENV)/bin/rasa
RASA_PY := $(RASA_ENV)/bin/python
APP_PY := $(APP_ENV)/bin/python

SHARED_DIR ?= $(abspath ../shared)
# The region's documents are indexed beside the project's own knowledge when the shared corpus is there.
DOCUMENTS_DIR ?= $(if $(wildcard $(SHARED_DIR)/corpus),$(SHARED_DIR)/corpus,)
DOCUMENT_INDEX ?= var/index.sqlite
export SHARED_DIR DOCUMENTS_DIR DOCUMENT_INDEX
# Rasa and TensorFlow: no telemetry prompts, less noise.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

RASA_TRAINING_FILES := config.yml $(shell find nlu_data bot nlu_components textkit knowledge -type f \
	\( -name '*.yml' -o -name '*.py' -o -name '*.txt' \) 2>/dev/null)

.PHONY: help run run-scaled test test-rasa test-app lint bench eval calibrate models translation-models index train nlu-report clean envs browser

help:
	@echo "make run        set up everything missing, start all four services, print the URLs"
	@echo "make run-scaled PostgreSQL + Redis, two replicas of each service behind HAProxy (deploy/scaled.py)"
	@echo "make test       set up everything missing, run the whole test suite"
	@echo "make bench      translation, document-search, chat, rooms and scaled benchmarks -> bench/results.json"
	@echo "make eval       score the public questions and the own benchmark (dev/test) -> reports/eval/"
	@echo "make calibrate  fit the document re-ranker and no-answer threshold on the benchmark's dev split"
	@echo "make models     download and convert the OPUS-MT translation models (needs a network)"
	@echo "make index      (re)build the document index (only changed files)"
	@echo "make nlu-report five-fold cross-validation of the NLU -> reports/nlu/"
	@echo "make lint       ruff"
	@echo "make clean      remove environments, models and runtime data"

envs: $(RASA_ENV)/.installed $(APP_ENV)/.installed

$(RASA_ENV)/.installed: requirements/rasa.txt
	@test -n "$(PYTHON310)" || { echo "error: python3.10 not found (pyenv install 3.10)"; exit 1; }
	$(PYTHON310) -m venv $(RASA_ENV)
	$(RASA_PY) -m pip install -q --upgrade pip wheel
	$(RASA_PY) -m pip install -q -r requirements/rasa.txt
	touch $@

$(APP_ENV)/.installed: requirements/app.txt
	@test -n "$(PYTHON311)" || { echo "error: python3.11 not found (pyenv install 3.11)"; exit 1; }
	$(PYTHON311) -m venv $(APP_ENV)
	$(APP_PY) -m pip install -q --upgrade pip wheel
	$(APP_PY) -m pip install -q -r requirements/app.txt
	touch $@

# Retrain only when the NLU data, domain, stories, pipeline or knowledge changed since the last training.
models/.trained: $(RASA_ENV)/.installed $(RASA_TRAINING_FILES)
	$(RASA_PY) -m actions.knowledge check
	$(RASA) train --config config.yml --domain bot/domain --data nlu_data bot/data --out models --fixed-model-name assistant
	touch $@

train: models/.trained

index: $(APP_ENV)/.installed
	$(APP_PY) -m docsearch index $(DOCUMENTS_DIR)

# The OPUS-MT models when missing and the hub answers (progress bar); one line, and on, when it cannot.
translation-models: $(APP_ENV)/.installed
	$(APP_PY) -m translation models --if-missing

run: envs train index translation-models
	$(APP_PY) -m deploy.stack

# PostgreSQL, Redis and HAProxy from Debian's packages (installed when missing, data in var/scaled), two
# replicas of each service on their own ports, the balancer on the ports `make run` uses.
run-scaled: envs train index translation-models
	$(APP_PY) -m deploy.scaled

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

lint: $(APP_ENV)/.installed
	$(APP_ENV)/bin/ruff check .

test-rasa: $(RASA_ENV)/.installed models/.trained
	$(RASA) data validate --fail-on-warnings --config config.yml --domain bot/domain --data nlu_data bot/data
	$(RASA_PY) -m pytest -q tests/rasa
	$(RASA) test core --model models --stories tests/stories --fail-on-prediction-errors --out var/rasa-test

test-app: $(APP_ENV)/.installed index browser
	$(APP_PY) -m pytest -q tests/app tests/integration tests/browser

test: envs lint test-rasa test-app

bench: envs train index
	$(APP_PY) -m bench.translation_bench
	$(APP_PY) -m bench.documents_bench
	$(APP_PY) -m bench.chat_bench
	$(APP_PY) -m bench.rooms_bench
	$(APP_PY) -m bench.scaled_bench

# The public questions, then the project's own benchmark (dev and test split apart: retrieval recall@1/@5 and
# MRR, answer accuracy per language, precision/recall of "the documents do not say"); reports in reports/eval/.
# Each scores through a running gateway, or starts the whole stack on free ports for its run.
eval: envs train index
	$(APP_PY) -m evaluation.run_eval --questions $(SHARED_DIR)/eval/questions.yml --report reports/eval/public.json
	$(APP_PY) -m evaluation.benchmark --split all

# Fit the re-ranker and the no-answer threshold on the benchmark's dev split (never the test split).
calibrate: $(APP_ENV)/.installed index
	$(APP_PY) -m docsearch.calibrate --write

models: $(APP_ENV)/.installed
	$(APP_PY) -m translation models

nlu-report: $(RASA_ENV)/.installed
	$(RASA_PY) scripts/nlu_report.py

clean:
	rm -rf $(RASA_ENV) $(APP_ENV) models var .rasa
