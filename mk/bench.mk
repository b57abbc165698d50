# `make bench`: the benchmark-only dependencies (Presidio, the `bench` extra) and the knobs of each script.
# The recipe itself is the `bench` target in the Makefile.
BENCH_STAMP := $(VENV)/.bench-installed
BENCH_COMPARE_ARGS ?=
BENCH_EMBEDDED_ARGS ?=
BENCH_STACK_ARGS ?= --posts 1000
BENCH_IMAGES_ARGS ?=

# What `make bench` needs beyond `install`: the bench extra and, for bench_stack.py, the Kafka jars.
BENCH_DEPS := $(BENCH_STAMP) kafka-jars

$(BENCH_STAMP): $(STAMP) pyproject.toml constraints.txt
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	touch $@
