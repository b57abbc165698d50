"""The HTTP/JSON Screening API and outbound decision webhooks (served by the all-in-one server)."""
