# The distributed stack as local processes (no Docker): real Kafka broker + ingest, identifier-detection,
# advice-classification, policy-decision. Pid files, logs and broker data live under ./run/.
RUN_DIR ?= $(CURDIR)/run
BENCH_POSTS ?= 2000

.PHONY: up down bench-stack test-integration

up: install kafka-jars ocr ## Start broker + the four services in the background (ports 9092, 50051-4, 9101-4)
	CACHE_DIR=$(CACHE_DIR) $(PY) -m postguard.devtools.stack up --run-dir $(RUN_DIR) --kafka-port $(KAFKA_PORT)

down: ## Stop what `make up` started
	$(PY) -m postguard.devtools.stack down --run-dir $(RUN_DIR)

test-integration: install kafka-jars ocr ## Integration tests: real broker + the four services, through gRPC
	CACHE_DIR=$(CACHE_DIR) $(PY) -m pytest -m integration tests/integration $(PYTEST_ARGS)

bench-stack: install kafka-jars ocr ## End-to-end posts/s and Screen latency p50/p99 through the local stack
	CACHE_DIR=$(CACHE_DIR) $(PY) benchmarks/bench_stack.py --posts $(BENCH_POSTS)
