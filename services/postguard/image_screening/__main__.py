"""``python -m postguard.image_screening``."""

import sys

from postguard.image_screening.service import run

sys.exit(run())
