"""advice-classification: posts in, content findings out (stream), plus the unary ``Classify`` API."""
