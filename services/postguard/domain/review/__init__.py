"""The review workflow's pure parts: deadlines, reviewer decisions as new versions, feedback records."""
