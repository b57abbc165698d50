"""The console service's desk: a ``ReviewDesk`` that refuses edits of posts whose original it never had."""

from __future__ import annotations

from postguard.domain.types import Decision
from postguard.review.desk import ReviewDesk, ReviewError

ORIGINAL_UNKNOWN = (
    "this post's original text is not known to the review console (it was not in its post buffer: the "
    "console restarted or the buffer overflowed), so it cannot be edited here; approve or reject it on "
    "the redacted text, or ask the author to resubmit an edited post"
)


class OriginalTextUnknownError(ReviewError):
    """An edit of a queued post that has only its redacted text; ``str()`` says why and what to do."""

    def __init__(self) -> None:
        super().__init__(ORIGINAL_UNKNOWN)


class ServiceDesk(ReviewDesk):
    """``ReviewDesk`` whose ``approve_with_edits`` needs the original text: the reviewer edits what the
    author wrote, and a post queued without it (see ``HeldDecisionFollower``) is decided as redacted."""

    def approve_with_edits(
        self, institution_id: str, post_id: str, reviewer: str, edited_text: str, note: str = ""
    ) -> Decision:
        item = self.item(institution_id, post_id)
        if item is not None and item.status.open and not item.original_text:
            raise OriginalTextUnknownError()
        return super().approve_with_edits(institution_id, post_id, reviewer, edited_text, note)
