"""Where redacted image copies go: named by their content's SHA-256, so a name says nothing about a post.

A reference is ``"sha256:<hex>.<ext>"``; ``DirectoryStore`` writes the bytes to ``<directory>/<hex>.<ext>``
atomically (a temporary file renamed into place), so a reader never sees half a file and the same copy is
written once however often it is made.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

_EXTENSIONS = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


_REFERENCE = re.compile(r"sha256:[0-9a-f]{64}\.[a-z]{3,4}")
"""What ``reference_for`` makes: lower-case hex and a short extension (no path characters at all)."""


def reference_for(data: bytes) -> str:
    """The content-addressed reference of an image copy (JPEG or PNG, from its first bytes)."""
    ext = next((e for magic, e in _EXTENSIONS.items() if data.startswith(magic)), "bin")
    return f"sha256:{hashlib.sha256(data).hexdigest()}.{ext}"


class RedactedStore(Protocol):
    """Keeps a redacted copy and returns its reference."""

    def put(self, data: bytes) -> str: ...


class ReferenceOnly:
    """Makes references and keeps nothing (the embedded pipeline when no directory is given)."""

    def put(self, data: bytes) -> str:
        return reference_for(data)


class DirectoryStore:
    """Redacted copies as files in one directory (a volume shared with whatever serves them)."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    def put(self, data: bytes) -> str:
        reference = reference_for(data)
        target = self.path_of(reference)
        if not target.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".partial-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return reference

    def path_of(self, reference: str) -> Path:
        """The file of ``reference``; ValueError for anything but a reference this store makes."""
        if not _REFERENCE.fullmatch(reference):
            raise ValueError("not a redacted-image reference")
        return self.directory / reference.removeprefix("sha256:")

    def get(self, reference: str) -> bytes:
        """The bytes of a copy put earlier (FileNotFoundError when it is not here)."""
        return self.path_of(reference).read_bytes()
