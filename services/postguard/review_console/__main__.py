"""``python -m postguard.review_console``."""

import sys

from postguard.review_console.service import run

sys.exit(run(sys.argv[1:]))
