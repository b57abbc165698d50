"""``python -m postguard.ingest``: run the ingest service."""

import sys

from postguard.ingest.service import run

sys.exit(run(sys.argv[1:]))
