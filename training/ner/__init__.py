"""Identifier NER workflow: convert -> train -> evaluate -> package."""
