"""The embedded (in-process, no broker) screening job used by ``postguard screen`` and ``eval``."""
