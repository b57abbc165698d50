# A headless browser for the review console's tests: Debian's chromium and its chromedriver (no browser
# download at test time). Installed once on a machine that lacks them (root, or sudo); docs/console.md.
BROWSER_PACKAGES := chromium chromium-driver fonts-dejavu-core

TEST_DEPS += browser

.PHONY: browser

browser: ## Install Debian's chromium + chromium-driver when chromedriver is not on PATH
	@command -v chromedriver >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing $(BROWSER_PACKAGES) (Debian packages) for the console's browser tests"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends $(BROWSER_PACKAGES) >/dev/null; }
	@chromedriver --version >/dev/null 2>&1 || { echo "chromedriver does not run: apt-get install chromium-driver" >&2; exit 1; }
