"""PostGuard: screening of a hospital's outgoing social-media posts."""

__version__ = "0.1.0"
