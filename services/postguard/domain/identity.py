"""What a decision belongs to: an institution's post with one exact content.

A post is identified by ``(institution_id, post_id, text_sha256)``, never by ``post_id`` alone:
two institutions may use the same id, and a platform may resubmit an edited draft under the same id.
A reused id with different content is therefore a *different* post and is screened afresh — it can
never be answered with the decision made for the other text, and no replica has to coordinate with
another to know that. The join table, the deadline ticks and every decision lookup use this key.
"""

from __future__ import annotations

from postguard.domain.types import Decision, Post, StageResult


def post_key(institution_id: str, post_id: str, text_sha256: str) -> str:
    """The unambiguous key of one post's content: ``<len(institution)>:<institution>:<post_id>:<sha>``.

    The institution is length-prefixed and the hash has a fixed width, so no choice of ids can make
    two different identities produce the same key.
    """
    return f"{len(institution_id)}:{institution_id}:{post_id}:{text_sha256}"


def key_of_post(post: Post) -> str:
    """The key of a (validated) post."""
    return post_key(post.institution_id, post.post_id, post.text_sha256)


def key_of_result(result: StageResult) -> str:
    """The key of the post a stage result was computed for."""
    return post_key(result.institution_id, result.post_id, result.text_sha256)


def key_of_decision(decision: Decision) -> str:
    """The key of the post a decision was made for."""
    return post_key(decision.institution_id, decision.post_id, decision.text_sha256)


def same_content(result: StageResult, post: Post) -> bool:
    """True when ``result`` was computed for exactly ``post`` (institution, id and text hash)."""
    return key_of_result(result) == key_of_post(post)
