"""image-screening: posts with image bytes in, image findings and redacted copies out (stream)."""
