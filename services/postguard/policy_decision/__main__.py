"""``python -m postguard.policy_decision``."""

import sys

from postguard.policy_decision.service import run

sys.exit(run())
