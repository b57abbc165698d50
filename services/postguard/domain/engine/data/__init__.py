"""The shared engine's data files (YAML): the context triggers both detectors read (``context.yaml``)."""

PACKAGE = "postguard.domain.engine.data"
