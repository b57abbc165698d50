"""Training workflows that rebuild the spaCy models shipped in services/postguard/models."""
