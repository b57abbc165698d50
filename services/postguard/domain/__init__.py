"""Pure screening logic: detectors, classifiers and the policy engine (no Kafka, gRPC or metrics)."""
