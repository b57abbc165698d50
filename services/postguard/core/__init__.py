"""Service plumbing shared by the four services: settings, Kafka codec and topics, metrics, gRPC bootstrap."""
