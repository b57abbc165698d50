"""Reviewer accounts: a YAML users file (mounted as a Secret in Kubernetes) with Argon2id password hashes.

The file::

    users:
      - username: alice                       # what the reviewer types at the login page
        password_hash: $argon2id$v=19$m=...   # an Argon2id hash (PasswordHasher), never the password
        institutions: [demo-hospital]         # whose held posts this account sees and decides
        role: reviewer                        # reviewer | admin (admins also decide escalated posts)

``postguard console add-user`` writes entries and ``postguard console check-users`` validates a file.
Errors name the file and line (``users.yaml:7: ...``) and never echo a password or a hash.
"""

from __future__ import annotations

import enum
import logging
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from postguard.domain.yaml_reader import YamlReader

log = logging.getLogger(__name__)

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
"""1-64 letters, digits and ``. _ @ -`` (an e-mail address works), starting with a letter or digit."""
MIN_PASSWORD_LENGTH = 12
_USER_KEYS = {"username", "password_hash", "institutions", "role"}
_HASH_PREFIX = "$argon2id$"
RELOAD_CHECK_SECONDS = 1.0


class UsersError(ValueError):
    """The users file is missing or invalid; the message names the file and line."""


class Role(enum.StrEnum):
    """What a console account may do: reviewers decide pending posts, admins also escalated ones."""

    REVIEWER = "reviewer"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class User:
    """One reviewer account as stored."""

    username: str
    password_hash: str
    institutions: frozenset[str]
    role: Role


def _check_institution(reader: YamlReader, node: yaml.Node, value: str) -> None:
    if value != value.strip() or value == "*":
        raise reader.error(node, "an institution must be an institution id (no spaces, no '*')")


def _user(reader: YamlReader, node: yaml.Node, index: int) -> User:
    what = f"users[{index}]"
    fields = reader.mapping(node, what, _USER_KEYS)
    missing = sorted(_USER_KEYS - set(fields))
    if missing:
        raise reader.error(node, f"{what}: missing {', '.join(missing)}")
    username = reader.string(fields["username"], f"{what}.username")
    if not USERNAME.match(username):
        raise reader.error(
            fields["username"], f"{what}.username must be 1-64 letters, digits or . _ @ - characters"
        )
    hash_node = fields["password_hash"]
    value = reader.scalar(hash_node, f"{what}.password_hash")
    if not isinstance(value, str) or not value.startswith(_HASH_PREFIX):
        # never echo it: it may be a password pasted by mistake
        raise reader.error(
            hash_node,
            f"{what}.password_hash is not an Argon2id hash ($argon2id$...); write it with "
            "`postguard console add-user`, never the password itself",
        )
    institutions = reader.strings(
        fields["institutions"], f"{what}.institutions", lambda n, v: _check_institution(reader, n, v)
    )
    if not institutions:
        raise reader.error(fields["institutions"], f"{what}.institutions must list at least one")
    role = reader.string(fields["role"], f"{what}.role")
    if role not in {r.value for r in Role}:
        raise reader.error(fields["role"], f"{what}.role must be reviewer or admin, got {role!r}")
    return User(username, value, frozenset(institutions), Role(role))


def parse_users(text: str, source: str = "users") -> tuple[User, ...]:
    """The accounts of a users file's ``text``; :class:`UsersError` names ``source`` and the line."""
    reader = YamlReader(source, UsersError)
    root = reader.compose(text)
    if root is None:
        raise UsersError(f"{source}:1: empty file (expected a mapping with a 'users' list)")
    top = reader.mapping(root, "the top level", {"users"})
    if "users" not in top:
        raise reader.error(root, "the top level must have a 'users' list")
    users_node = top["users"]
    if not isinstance(users_node, yaml.SequenceNode):
        raise reader.error(users_node, "users must be a list")
    users: list[User] = []
    seen: set[str] = set()
    for index, node in enumerate(users_node.value):
        user = _user(reader, node, index)
        if user.username.lower() in seen:
            raise reader.error(node, f"username {user.username!r} is listed twice")
        seen.add(user.username.lower())
        users.append(user)
    return tuple(users)


def load_users(path: Path) -> tuple[User, ...]:
    """Read and validate the users file at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsersError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsersError(f"{path}: cannot be read ({type(exc).__name__})") from None
    return parse_users(text, str(path))


def dump_users(users: tuple[User, ...] | list[User]) -> str:
    """The YAML text of ``users`` (what :func:`parse_users` reads back)."""
    entries = [
        {
            "username": u.username,
            "password_hash": u.password_hash,
            "institutions": sorted(u.institutions),
            "role": u.role.value,
        }
        for u in users
    ]
    return yaml.safe_dump({"users": entries}, sort_keys=False, default_flow_style=None)


def write_users(path: Path, users: tuple[User, ...] | list[User]) -> None:
    """Replace the file at ``path`` atomically with ``users`` (mode 0600: it holds password hashes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(dump_users(users))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class UserDirectory:
    """The accounts the console knows, checked against passwords; re-reads its file when it changes.

    A changed file that does not validate is logged (file and line only) and the previous accounts kept.
    """

    def __init__(
        self,
        users: tuple[User, ...] | list[User] = (),
        *,
        source: Path | None = None,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self._hasher = hasher or PasswordHasher()
        self._source = source
        self._lock = threading.Lock()
        self._checked_at = time.monotonic()
        self._stamp = _stamp(source)
        self._install(tuple(users))
        # verified against for unknown usernames, so a wrong name costs the same time as a wrong password
        self._dummy_hash = self._hasher.hash("postguard-no-such-user")

    @classmethod
    def from_file(cls, path: Path, *, hasher: PasswordHasher | None = None) -> UserDirectory:
        """The accounts of the users file at ``path`` (:class:`UsersError` when it is invalid)."""
        return cls(load_users(path), source=Path(path), hasher=hasher)

    def _install(self, users: tuple[User, ...]) -> None:
        self._users = {u.username.lower(): u for u in users}

    def _maybe_reload(self) -> None:
        if self._source is None:
            return
        now = time.monotonic()
        with self._lock:
            if now - self._checked_at < RELOAD_CHECK_SECONDS:
                return
            self._checked_at = now
            stamp = _stamp(self._source)
            if stamp == self._stamp:
                return
            self._stamp = stamp
            try:
                users = load_users(self._source)
            except UsersError as exc:
                log.error("users file changed but is invalid; keeping the previous accounts: %s", exc)
                return
            self._install(users)
            log.info("users file reloaded", extra={"users": len(users)})

    def get(self, username: str) -> User | None:
        """The account called ``username`` (case-insensitive), or None."""
        self._maybe_reload()
        return self._users.get(username.strip().lower())

    def __len__(self) -> int:
        self._maybe_reload()
        return len(self._users)

    def authenticate(self, username: str, password: str) -> User | None:
        """The account when ``password`` is right for ``username``; None otherwise (same cost either way)."""
        user = self.get(username)
        try:
            self._hasher.verify(user.password_hash if user else self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        return user

    def needs_rehash(self, user: User) -> bool:
        """True when ``user``'s hash was made with weaker parameters than the hasher's (re-run add-user)."""
        try:
            return self._hasher.check_needs_rehash(user.password_hash)
        except InvalidHashError:
            return True


def _stamp(path: Path | None) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)
