"""``python -m postguard.advice_classification``."""

import sys

from postguard.advice_classification.service import run

sys.exit(run())
