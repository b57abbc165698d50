# PostgreSQL (Debian package `postgresql`) for the audit-store integration tests: each test session runs a
# throwaway cluster (initdb + pg_ctl as the `postgres` user, 127.0.0.1 only) from /usr/lib/postgresql/*/bin.

TEST_DEPS += postgres

.PHONY: postgres postgres-test

postgres: ## Install the PostgreSQL server (Debian package postgresql) when initdb is missing
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql; }

postgres-test: install postgres ## The PostgreSQL audit-store tests against a real, throwaway server
	$(PY) -m pytest tests/integration/audit $(PYTEST_ARGS)
