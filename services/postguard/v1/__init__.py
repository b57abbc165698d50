"""Generated protobuf and gRPC stubs for postguard.v1 (made by `make proto`; never edited)."""
