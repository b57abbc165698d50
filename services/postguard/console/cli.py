"""``postguard console add-user`` and ``postguard console check-users``: the reviewer accounts file.

Passwords come from ``--password-stdin`` or a prompt, never from the command line (``ps`` would show them).
Exit status: 0 done, 1 a check found a problem, 2 usage or file errors.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from postguard.console.users import (
    MIN_PASSWORD_LENGTH,
    USERNAME,
    Role,
    User,
    UsersError,
    load_users,
    write_users,
)

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


def _error(message: str) -> int:
    print(f"postguard console: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = getpass.getpass(f"Password for {args.username}: ")
    if getpass.getpass("Again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _add_user(args: argparse.Namespace) -> int:
    path: Path = args.users
    if not USERNAME.match(args.username):
        return _error("--username must be 1-64 letters, digits or . _ @ - characters")
    institutions = sorted({i.strip() for i in args.institution})
    if not institutions or any(not i or i == "*" for i in institutions):
        return _error("--institution must name an institution id (no '*')")
    try:
        users = list(load_users(path)) if path.exists() else []
    except UsersError as exc:
        return _error(str(exc))
    index = next((i for i, u in enumerate(users) if u.username.lower() == args.username.lower()), None)
    if index is not None and not args.replace:
        return _error(f"user {args.username!r} exists in {path}; pass --replace to change it")
    try:
        password = _read_password(args)
    except (ValueError, EOFError) as exc:
        return _error(str(exc) or "no password given")
    if len(password) < MIN_PASSWORD_LENGTH:
        return _error(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    user = User(args.username, PasswordHasher().hash(password), frozenset(institutions), Role(args.role))
    if index is None:
        users.append(user)
    else:
        users[index] = replace(user, username=users[index].username)
    try:
        write_users(path, users)
    except OSError as exc:
        return _error(f"cannot write {path}: {exc.strerror or type(exc).__name__}")
    verb = "replaced" if index is not None else "added"
    print(f"{verb} {args.role} {args.username} ({', '.join(institutions)}) in {path}")
    return EXIT_OK


def _check_users(args: argparse.Namespace) -> int:
    try:
        users = load_users(args.file)
    except UsersError as exc:
        print(f"{exc}", file=sys.stderr)
        return EXIT_USAGE
    if not users:
        print(f"{args.file}: no users: nobody can log in", file=sys.stderr)
        return EXIT_PROBLEM
    hasher = PasswordHasher()
    stale = [u.username for u in users if hasher.check_needs_rehash(u.password_hash)]
    for name in stale:
        print(f"{args.file}: {name}: hash made with weaker parameters; re-run add-user --replace")
    roles = {r: sum(u.role is r for u in users) for r in Role}
    institutions = sorted({i for u in users for i in u.institutions})
    print(
        f"{args.file}: {len(users)} user(s) ({roles[Role.REVIEWER]} reviewer, {roles[Role.ADMIN]} admin) "
        f"for {', '.join(institutions)}"
    )
    return EXIT_OK


def register(subparsers: Any) -> None:
    """Add ``console add-user`` and ``console check-users`` to the ``postguard`` command."""
    console = subparsers.add_parser("console", help="reviewer console accounts (the users file)")
    sub = console.add_subparsers(dest="console_command", required=True, metavar="{add-user,check-users}")
    add = sub.add_parser("add-user", help="add (or --replace) a reviewer account in a users file")
    add.add_argument("--users", type=Path, required=True, metavar="FILE", help="the users file (created)")
    add.add_argument("--username", required=True)
    add.add_argument("--institution", action="append", required=True, metavar="ID", help="repeat for several")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.REVIEWER.value)
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of stdin"
    )
    add.add_argument("--replace", action="store_true", help="change an existing account")
    add.set_defaults(handler=_add_user)
    check = sub.add_parser("check-users", help="validate a users file (errors name file:line)")
    check.add_argument("file", type=Path, metavar="FILE")
    check.set_defaults(handler=_check_users)
