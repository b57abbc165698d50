"""The embedded screening job behind ``postguard screen``: JSONL lines in, decision or error records out.

Every input line yields exactly one output record, in input order. A line that cannot be screened
(bad JSON, invalid post, unknown institution, remote failure) yields ``{"line": n, "error": "..."}``;
error messages name fields and ids, never post text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postguard.domain.pipeline import ScreeningPipeline
from postguard.domain.policy import PolicyRegistry
from postguard.domain.serialization import decision_to_dict
from postguard.domain.types import Decision, Post
from postguard.domain.validation import PostValidationError, decode_text, post_from_mapping

DEFAULT_BATCH_SIZE = 64
ScreenBatch = Callable[[Sequence[Post]], list["Decision | Exception"]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result for one input line: a decision or an error message."""

    line: int
    post_id: str = ""
    decision: Decision | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.decision is not None

    def to_record(self) -> dict[str, Any]:
        """The JSONL record written for this line."""
        if self.decision is not None:
            return decision_to_dict(self.decision)
        record: dict[str, Any] = {"line": self.line, "error": self.error}
        if self.post_id:
            record["post_id"] = self.post_id
        return record


def parse_line(raw: str | bytes, base_dir: Path | None = None) -> Post:
    """One JSONL line -> a validated ``Post``; raises ``ValueError`` with a text-free message.

    An attachment may give its image as ``path`` (a local file; relative paths are read from
    ``base_dir``, default the working directory) instead of ``content_base64``."""
    if isinstance(raw, bytes):
        try:
            raw = decode_text(raw)
        except PostValidationError as exc:
            raise ValueError("line " + str(exc).removeprefix("text: ")) from None
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ValueError("not valid JSON (nested too deeply)") from None
    try:
        return post_from_mapping(read_attachment_paths(obj, base_dir))
    except PostValidationError as exc:
        raise ValueError(f"invalid post: {exc}") from None


def read_attachment_paths(obj: Any, base_dir: Path | None) -> Any:
    """``obj`` with each attachment's ``path`` replaced by the file's bytes (``content``). Raises
    ``PostValidationError`` naming the attachment (not the path, which may name a patient) when the file
    cannot be read or is over the image size limit."""
    attachments = obj.get("attachments") if isinstance(obj, dict) else None
    if not isinstance(attachments, list) or not any(isinstance(a, dict) and "path" in a for a in attachments):
        return obj
    from postguard.domain.images.decode import ImageLimits

    limit = ImageLimits().max_bytes  # a file over the image stage's own limit is refused unread
    loaded = []
    for index, item in enumerate(attachments):
        if not isinstance(item, dict) or "path" not in item:
            loaded.append(item)
            continue
        name = f"attachments[{index}].path"
        if "content" in item or "content_base64" in item:
            raise PostValidationError(name, "give path or content_base64, not both")
        if not isinstance(item["path"], str) or not item["path"]:
            raise PostValidationError(name, "must be a file path")
        path = Path(item["path"])
        path = path if path.is_absolute() or base_dir is None else base_dir / path
        try:
            size = path.stat().st_size
            if size > limit:
                raise PostValidationError(name, f"file is {size} bytes; the limit is {limit}")
            content = path.read_bytes()
        except OSError as exc:
            raise PostValidationError(name, f"cannot be read ({type(exc).__name__})") from None
        loaded.append({**{k: v for k, v in item.items() if k != "path"}, "content": content})
    return {**obj, "attachments": loaded}


def _post_id_of(raw: str | bytes) -> str:
    """Best-effort post_id of a line that failed validation (for the error record)."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        value = json.loads(raw).get("post_id")
    except (ValueError, AttributeError, RecursionError):
        return ""
    return value[:128] if isinstance(value, str) and value.isprintable() else ""


def build_pipeline(
    policy_dir: Path | None = None,
    *,
    use_models: bool = True,
    models_dir: Path | None = None,
    redacted_dir: Path | None = None,
) -> ScreeningPipeline:
    """The embedded pipeline: rules, plus the trained models in ``models_dir`` (default: shipped).

    With ``use_models`` the models are required: ``ModelLoadError`` (naming the path) when either cannot
    be loaded, never a silent fall-back to rules. ``PolicyError`` for invalid policies. Posts with
    image bytes are screened by the image stage too; ``redacted_dir`` keeps the redacted copies.
    """
    from postguard.domain.advice import AdviceClassifier
    from postguard.domain.identifiers import IdentifierDetector
    from postguard.domain.images.screen import ImageScreener
    from postguard.domain.images.store import DirectoryStore
    from postguard.domain.models import load_advice_model, load_ner_model

    policies = PolicyRegistry.load(policy_dir)  # first: a bad policy is reported without loading models
    ner = load_ner_model(models_dir) if use_models else None
    text_model = load_advice_model(models_dir) if use_models else None
    identifiers = IdentifierDetector(ner_model=ner)
    advice = AdviceClassifier(text_model=text_model)
    store = DirectoryStore(redacted_dir) if redacted_dir is not None else None
    images = ImageScreener.default(identifiers, advice)
    return ScreeningPipeline(identifiers, advice, policies, images=images, store=store)


def pipeline_batch(pipeline: Any) -> ScreenBatch:
    """Screen a batch in-process with a ``ScreeningPipeline``.

    A batch the pipeline raises on (it fails stages closed itself, so this is unexpected) becomes one
    error per post, named by the exception type only: the run goes on, as with ``--workers N``.
    """

    def screen(posts: Sequence[Post]) -> list[Decision | Exception]:
        try:
            return list(pipeline.screen_batch(posts))
        except Exception as exc:
            return [exc] * len(posts)

    return screen


def remote_batch(url: str) -> ScreenBatch:
    """Screen a batch through a running stack (``--via grpc://host:port``); a failed post is an error."""
    from postguard.remote import screen_remote

    def screen(posts: Sequence[Post]) -> list[Decision | Exception]:
        out: list[Decision | Exception] = []
        while len(out) < len(posts):
            try:
                for decision in screen_remote(url, posts[len(out) :]):
                    out.append(decision)
            except Exception as exc:
                out.append(exc)
        return out

    return screen


class ScreeningFailedError(Exception):
    """A batch that could not be screened, for a reason safe to print (it names no post text)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ScreeningFailedError):
        return f"screening failed: {exc.reason}"
    code = getattr(exc, "code", None)
    if code is not None and not callable(code):
        return f"screening failed: {getattr(code, 'name', code)}"
    return f"screening failed: {type(exc).__name__}"


NumberedLine = tuple[int, "str | bytes"]


def numbered_lines(lines: Iterable[str | bytes]) -> Iterator[NumberedLine]:
    """``(line number, line)`` for each non-blank line, numbered from 1 over all lines."""
    return ((number, raw) for number, raw in enumerate(lines, start=1) if raw.strip())


def screen_lines(
    lines: Iterable[str | bytes],
    screen_batch: ScreenBatch,
    registry: PolicyRegistry | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_line: Callable[[], None] | None = None,
    base_dir: Path | None = None,
) -> Iterator[Outcome]:
    """Yield one ``Outcome`` per non-blank input line, in order, screening valid posts in batches.

    ``registry`` (when given) turns unknown institutions into per-line errors before any work;
    ``base_dir``: where relative attachment paths are read from.
    """
    return screen_numbered(
        numbered_lines(lines),
        screen_batch,
        registry,
        batch_size=batch_size,
        on_line=on_line,
        base_dir=base_dir,
    )


def screen_numbered(
    lines: Iterable[NumberedLine],
    screen_batch: ScreenBatch,
    registry: PolicyRegistry | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_line: Callable[[], None] | None = None,
    base_dir: Path | None = None,
) -> Iterator[Outcome]:
    """``screen_lines`` over already numbered non-blank lines: a batch every ``batch_size`` lines.

    Batches therefore only depend on the line sequence, so screening consecutive ``batch_size``-line
    chunks separately (``--workers N``) makes exactly the batches one run over all lines makes.
    """
    pending: list[tuple[int, Post]] = []
    ready: list[Outcome] = []  # outcomes waiting for the batch before them, to keep input order

    def flush() -> Iterator[Outcome]:
        results = screen_batch([post for _, post in pending]) if pending else []
        by_line = {
            line: (
                Outcome(line, post.post_id, decision=result)
                if isinstance(result, Decision)
                else Outcome(line, post.post_id, error=_error_text(result))
            )
            for (line, post), result in zip(pending, results, strict=True)
        }
        merged = sorted([*by_line.values(), *ready], key=lambda o: o.line)
        pending.clear()
        ready.clear()
        yield from merged

    for number, raw in lines:
        try:
            post = parse_line(raw, base_dir)
            if registry is not None and not registry.knows(post.institution_id):
                raise ValueError(f"unknown institution {post.institution_id!r}: no policy covers it")
        except ValueError as exc:
            ready.append(Outcome(number, _post_id_of(raw), error=str(exc)))
        else:
            pending.append((number, post))
        if on_line is not None:
            on_line()
        if len(pending) + len(ready) >= batch_size:
            yield from flush()
    yield from flush()
