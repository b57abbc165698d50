"""Request parsing that turns undecodable bytes (bad UTF-8 in a string field) into a precise client error.

grpcio answers a request its deserializer cannot parse with INTERNAL "Exception deserializing request!".
The handlers here get a :class:`BadRequest` instead and answer INVALID_ARGUMENT naming the field.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor, FileDescriptor
from google.protobuf.message import DecodeError, Message


@dataclass(frozen=True, slots=True)
class BadRequest:
    """Stands in for a request message that could not be parsed; ``error`` is safe to show the client."""

    error: str
    too_large: bool = False


def _files_in_order(file: FileDescriptor, seen: dict[str, FileDescriptor]) -> None:
    for dep in file.dependencies:
        _files_in_order(dep, seen)
    seen.setdefault(file.name, file)


@functools.cache
def _lenient_class(descriptor: Descriptor) -> type[Message]:
    """The same message type with ``string`` fields (not map keys) as ``bytes``: parses any byte content."""
    files: dict[str, FileDescriptor] = {}
    _files_in_order(descriptor.file, files)
    pool = descriptor_pool.DescriptorPool()
    for file in files.values():
        proto = descriptor_pb2.FileDescriptorProto()
        file.CopyToProto(proto)
        stack = list(proto.message_type)
        while stack:
            msg = stack.pop()
            stack.extend(msg.nested_type)
            is_map_entry = msg.options.map_entry
            for field in msg.field:
                if is_map_entry and field.name == "key":
                    continue  # map keys cannot be bytes; a bad key gets the generic message
                if field.type == descriptor_pb2.FieldDescriptorProto.TYPE_STRING:
                    field.type = descriptor_pb2.FieldDescriptorProto.TYPE_BYTES
        pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(descriptor.full_name))


def _find_bad_utf8(msg: Message, path: str) -> str | None:
    for field, value in msg.ListFields():
        name = f"{path}.{field.name}" if path else field.name
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            for key, item in value.items():
                label = f"{name}[{_safe_key(key)}]"
                if isinstance(item, bytes) and (offset := _bad_offset(item)) is not None:
                    return f"{label}: is not valid UTF-8 (bad byte at offset {offset})"
                if isinstance(item, Message) and (found := _find_bad_utf8(item, label)):
                    return found
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            items = value if _repeated(field) else [value]
            for i, item in enumerate(items):
                label = f"{name}[{i}]" if _repeated(field) else name
                if found := _find_bad_utf8(item, label):
                    return found
        elif field.type == FieldDescriptor.TYPE_BYTES:
            items = value if _repeated(field) else [value]
            for item in items:
                if (offset := _bad_offset(item)) is not None:
                    return f"{name}: is not valid UTF-8 (bad byte at offset {offset})"
    return None


def _repeated(field: FieldDescriptor) -> bool:
    # protobuf >= 5.28 exposes ``is_repeated``; ``label`` is gone from newer upb descriptors.
    flag = getattr(field, "is_repeated", None)
    return bool(flag) if flag is not None else field.label == FieldDescriptor.LABEL_REPEATED


def _safe_key(key: Any) -> str:
    return repr(str(key)[:32])


def _bad_offset(data: bytes) -> int | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return None


def describe_parse_failure(message_class: type[Message], data: bytes) -> str:
    """Why ``data`` is not a valid ``message_class``: the string field with bad UTF-8, or a generic reason.

    Field paths are relative to the post (``post.`` prefixes are dropped) to match validation messages.
    """
    name = message_class.DESCRIPTOR.name
    lenient = _lenient_class(message_class.DESCRIPTOR)()
    try:
        lenient.ParseFromString(data)
    except DecodeError:
        return f"the request is not a valid {name} message ({len(data)} bytes)"
    found = _find_bad_utf8(lenient, "")
    if found is None:
        return f"the request is not a valid {name} message ({len(data)} bytes)"
    return found.removeprefix("post.")


def content_bytes(msg: Message) -> int:
    """Bytes of attachment image content in a request (a ``Post`` or a message with a ``post`` field)."""
    post = msg if msg.DESCRIPTOR.name == "Post" else getattr(msg, "post", None)
    attachments = getattr(post, "attachments", None)
    return sum(len(a.content) for a in attachments) if attachments is not None else 0


def safe_deserializer(
    message_class: type[Message], max_bytes: int | None = None, max_message_bytes: int | None = None
) -> Callable[[bytes], Message | BadRequest]:
    """A gRPC request deserializer returning :class:`BadRequest` instead of raising on bad input.

    Without ``max_message_bytes``, requests over ``max_bytes`` are refused before parsing (``too_large``).
    With it, requests over ``max_message_bytes`` are refused before parsing, and ``max_bytes`` bounds what
    is left once attachment image bytes are set aside (images may be large, text fields may not).
    """

    def deserialize(data: bytes) -> Message | BadRequest:
        limit = max_bytes if max_message_bytes is None else max_message_bytes
        if limit is not None and len(data) > limit:
            return BadRequest(f"the request is {len(data)} bytes; the limit is {limit}", too_large=True)
        try:
            msg = message_class.FromString(data)
        except DecodeError:
            return BadRequest(describe_parse_failure(message_class, data))
        if max_message_bytes is not None and max_bytes is not None:
            images = content_bytes(msg)
            if len(data) - images > max_bytes:
                return BadRequest(
                    f"the request is {len(data)} bytes ({len(data) - images} without attachment content); "
                    f"the limit is {max_bytes} without attachment content",
                    too_large=True,
                )
        return msg

    return deserialize
