"""The ``postguard`` command. STUB: screen / eval / serve are added by their issues."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("postguard: not implemented yet", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
