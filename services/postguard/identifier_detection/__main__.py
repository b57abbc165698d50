"""``python -m postguard.identifier_detection``."""

import sys

from postguard.identifier_detection.service import run

sys.exit(run())
