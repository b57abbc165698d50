"""identifier-detection: posts in, identifier findings out (stream), plus the unary ``Detect`` API."""
