# SCOWL's American English word list (Debian's wamerican): the first-name list's recipe test rebuilds
# services/postguard/domain/identifiers/data/first_names.yaml from Faker's names minus these words.
WORDS_FILE := /usr/share/dict/american-english

TEST_DEPS += words

.PHONY: words

words: ## Install Debian's wamerican (SCOWL word list) when /usr/share/dict/american-english is missing
	@[ -f $(WORDS_FILE) ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing wamerican (Debian package) for the first-name list's recipe test"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends wamerican >/dev/null; }
	@[ -f $(WORDS_FILE) ] || { echo "$(WORDS_FILE) missing: apt-get install wamerican" >&2; exit 1; }
