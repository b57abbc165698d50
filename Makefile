# PostGuard — every task a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PROTOS := $(wildcard protos/postguard/v1/*.proto)
STUBS_STAMP := services/postguard/v1/.generated
CACHE_DIR ?= $(CURDIR)/.cache
PYTEST_ARGS ?=

# Extra prerequisites of `make test` (the Kafka jars, helm, promtool) are added by mk/*.mk.
TEST_DEPS :=

include $(sort $(wildcard mk/*.mk))

.PHONY: help install proto demo console test test-unit test-faults lint eval eval-images bench clean lock

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

$(STUBS_STAMP): $(PROTOS) $(STAMP)
	$(PY) -m grpc_tools.protoc -I protos --python_out=services --pyi_out=services \
		--grpc_python_out=services $(PROTOS)
	touch $@

install: $(STAMP) $(STUBS_STAMP) ## Create .venv with PostGuard, its dependencies and the generated stubs

proto: ## Regenerate the protobuf / gRPC stubs from protos/
	rm -f $(STUBS_STAMP)
	$(MAKE) $(STUBS_STAMP)

demo: install ocr ## The main job: screen the bundled sample posts with the embedded pipeline
	$(VENV)/bin/postguard screen --input samples/posts.jsonl --format table
	$(VENV)/bin/postguard screen --input samples/image-posts.jsonl --format table --redacted-dir build/redacted

console: install ## Try the review console: the all-in-one server on localhost, the sample posts held (Ctrl-C stops)
	$(PY) -m postguard.devtools.console_demo $(CONSOLE_ARGS)

test: install $(TEST_DEPS) ## Run every test (unit, real-broker integration, chart, alert rules)
	$(PY) -m pytest $(PYTEST_ARGS)

test-faults: install $(TEST_DEPS) ## kill -9 of every service and of the broker during a 5,000-post run; prints the figures
	$(PY) -m postguard.devtools.faults --posts $(or $(FAULT_POSTS),5000) --rate $(or $(FAULT_RATE),50) --targets all

test-unit: install ## Run the fast unit tests only
	$(PY) -m pytest -m "unit or models" $(PYTEST_ARGS)

lint: install ## ruff and the import-boundary check (domain has no transport code)
	$(VENV)/bin/ruff check services tests training
	$(VENV)/bin/ruff format --check services tests training
	$(VENV)/bin/lint-imports

eval: install ocr $(BENCH_STAMP) ## P/R per label: gold (full report), hold-out and public test sets, beside Presidio; content rules vs models; images
	$(VENV)/bin/postguard eval data/gold/posts.jsonl
	$(PY) -m training.eval_compare --data $(TRAINING_DATA) $(EVAL_COMPARE_ARGS)
	$(PY) -m training.eval_content --data $(TRAINING_DATA) $(EVAL_CONTENT_ARGS)
	$(MAKE) eval-images

eval-images: install ocr ## Images: OCR word recall and face recall / false alarms (generated sets), then the image hold-out P/R per label
	$(PY) -m postguard.devtools.image_eval
	$(PY) -m training.eval_images

bench: install ocr $(BENCH_DEPS) ## PostGuard vs Presidio vs the tokenizer floor (one pinned core), --workers, RSS, images, the stack
	$(PY) benchmarks/bench_compare.py $(BENCH_COMPARE_ARGS)
	$(PY) benchmarks/bench_embedded.py $(BENCH_EMBEDDED_ARGS)
	$(PY) benchmarks/bench_images.py $(BENCH_IMAGES_ARGS)
	if [ -f benchmarks/bench_stack.py ]; then CACHE_DIR=$(CACHE_DIR) $(PY) benchmarks/bench_stack.py $(BENCH_STACK_ARGS); fi

lock: $(STAMP) ## Re-pin constraints.txt to the versions now installed in .venv (after changing dependencies)
	{ echo "# Exact versions CI and every developer install (pip install -c constraints.txt); refresh with 'make lock'."; \
	  $(PY) -m pip freeze --exclude-editable | grep -vi '^postguard'; } > constraints.txt

clean: ## Remove build outputs (keeps .venv and the download cache)
	rm -rf build dist .pytest_cache .ruff_cache services/postguard/v1/*_pb2*.py* $(STUBS_STAMP)
