"""An HTTP request seen as a gRPC call, so the Screening servicer and its authorizer serve HTTP unchanged.

``HttpCallContext`` implements the part of ``grpc.ServicerContext`` that ``ScreeningServicer`` and
``InstitutionAuthorizer`` use; ``abort`` raises :class:`CallAborted` carrying the status and message,
which the router turns into an HTTP status with a JSON body.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

import grpc


class CallAborted(Exception):  # noqa: N818 - mirrors grpc's abort, not an error of this module
    """``context.abort(code, details)`` of a servicer called over HTTP."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(details)
        self.code = code
        self.details = details


class HttpCallContext:
    """The caller's ``Authorization`` header as gRPC metadata; no client certificate, no deadline."""

    def __init__(self, authorization: str | None) -> None:
        self._authorization = authorization
        self.trailing_metadata: tuple[tuple[str, str], ...] = ()
        self._code: grpc.StatusCode | None = None

    def invocation_metadata(self) -> Sequence[tuple[str, str]]:
        return () if self._authorization is None else (("authorization", self._authorization),)

    def abort(self, code: grpc.StatusCode, details: str) -> NoReturn:
        self._code = code
        raise CallAborted(code, details)

    def code(self) -> grpc.StatusCode | None:
        return self._code

    def set_trailing_metadata(self, metadata: Sequence[tuple[str, str]]) -> None:
        self.trailing_metadata = tuple(metadata)

    def trailing(self, key: str) -> str | None:
        """The value of trailing metadata ``key`` set by the servicer, if any."""
        return next((value for k, value in self.trailing_metadata if k == key), None)

    @staticmethod
    def time_remaining() -> float | None:
        return None

    @staticmethod
    def is_active() -> bool:
        return True

    @staticmethod
    def peer_identity_key() -> str | None:
        return None  # HTTP callers never present a gRPC-verified client certificate

    @staticmethod
    def auth_context() -> dict[str, Any]:
        return {}
