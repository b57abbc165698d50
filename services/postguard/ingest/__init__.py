"""ingest: the public Screening gRPC API; validates posts, writes them durably to Kafka, returns decisions."""
