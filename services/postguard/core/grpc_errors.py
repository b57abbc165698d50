"""How unary servicers report errors: domain exceptions -> ``context.abort(code, clear message)``."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import grpc

from postguard.core.codec import DecodeError
from postguard.domain.policy import PolicyError, UnknownInstitutionError
from postguard.domain.validation import PostValidationError

log = logging.getLogger(__name__)

_F = TypeVar("_F", bound=Callable[..., Any])


def abort_for(context: grpc.ServicerContext, exc: BaseException) -> None:
    """Abort the RPC with the status that fits ``exc``; messages name fields and ids, never text."""
    if isinstance(exc, PostValidationError | DecodeError):
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
    if isinstance(exc, UnknownInstitutionError):
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
    if isinstance(exc, PolicyError):
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, "the institution's policy is invalid")
    log.error("unhandled error in servicer", extra={"error_type": type(exc).__name__})
    context.abort(grpc.StatusCode.INTERNAL, f"internal error ({type(exc).__name__})")


def unary_errors(method: _F) -> _F:
    """Decorate a unary servicer method so domain errors become precise gRPC statuses."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return method(self, request, context)
        except Exception as exc:
            if context.code() is not None:  # already aborted by the method itself
                raise
            abort_for(context, exc)
            raise  # unreachable: abort raises

    return wrapper  # type: ignore[return-value]
