"""The review console service of the distributed stack (``postguard serve review-console``)."""
