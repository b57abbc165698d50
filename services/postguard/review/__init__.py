"""The review workflow's application layer: the desk that holds, decides and expires held posts."""
