# Tesseract OCR (Debian's tesseract-ocr with its English data): the image stage reads burned-in text with it.
# Installed once on a machine that lacks it (root, or sudo); docs/images.md says why Tesseract.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-eng

TEST_DEPS += ocr

.PHONY: ocr

ocr: ## Install Tesseract OCR from Debian's packages when `tesseract` is not on PATH
	@command -v tesseract >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing $(OCR_PACKAGES) (Debian packages) for image OCR"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends $(OCR_PACKAGES) >/dev/null; }
	@tesseract --list-langs 2>/dev/null | grep -qx eng || { echo "tesseract has no English data: apt-get install tesseract-ocr-eng" >&2; exit 1; }
