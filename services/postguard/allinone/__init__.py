"""The all-in-one server: Screening gRPC, the HTTP/JSON API, the review console and queue in one process."""
