"""The users file (errors name file:line and never echo a hash) and the `postguard console` commands."""

from __future__ import annotations

import argparse
import io

import pytest
from console_helpers import FAST_HASHER
from postguard.console import cli
from postguard.console.users import Role, UserDirectory, UsersError, load_users, parse_users

HASH = FAST_HASHER.hash("a long enough password")


def users_yaml(*entries: str) -> str:
    return "users:\n" + "".join(entries)


def entry(
    name: str = "alice", role: str = "reviewer", hash_: str = HASH, insts: str = "[demo-hospital]"
) -> str:
    return (
        f"  - username: {name}\n    password_hash: '{hash_}'\n    institutions: {insts}\n    role: {role}\n"
    )


def test_a_valid_file_parses():
    [alice, bob] = parse_users(users_yaml(entry(), entry("bob", "admin", insts="[a, b]")), "u.yaml")
    assert alice.username == "alice" and alice.role is Role.REVIEWER
    assert bob.institutions == frozenset({"a", "b"}) and bob.role is Role.ADMIN


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("users: [\n", "u.yaml:2: not valid YAML"),
        ("", "u.yaml:1: empty file"),
        ("people: []\n", "u.yaml:1: unknown key 'people'"),
        (users_yaml(entry(), entry()), "u.yaml:6: username 'alice' is listed twice"),
        (users_yaml(entry(role="owner")), "u.yaml:5: users[0].role must be reviewer or admin"),
        (users_yaml(entry(insts="[]")), "u.yaml:4: users[0].institutions must list at least one"),
        (users_yaml(entry(insts="['*']")), "u.yaml:4: an institution must be an institution id"),
        (users_yaml(entry(name="bad name")), "u.yaml:2: users[0].username must be"),
        (
            users_yaml("  - username: x\n    role: admin\n"),
            "u.yaml:2: users[0]: missing institutions, password_hash",
        ),
        (users_yaml(entry() + "    email: a@b\n"), "u.yaml:6: unknown key 'email'"),
    ],
)
def test_errors_name_the_file_and_line(text, message):
    with pytest.raises(UsersError) as err:
        parse_users(text, "u.yaml")
    assert str(err.value).startswith(message), str(err.value)


def test_a_password_in_the_hash_field_is_not_echoed():
    with pytest.raises(
        UsersError, match=r"u.yaml:3: users\[0\].password_hash is not an Argon2id hash"
    ) as err:
        parse_users(users_yaml(entry(hash_="hunter2-secret")), "u.yaml")
    assert "hunter2" not in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(UsersError, match="no such file"):
        load_users(tmp_path / "nope.yaml")


def test_directory_checks_passwords_and_reloads_a_changed_file(tmp_path, monkeypatch):
    path = tmp_path / "users.yaml"
    path.write_text(users_yaml(entry()))
    directory = UserDirectory.from_file(path, hasher=FAST_HASHER)
    assert directory.authenticate("ALICE", "a long enough password").username == "alice"
    assert directory.authenticate("alice", "wrong") is None
    assert directory.authenticate("nobody", "a long enough password") is None
    monkeypatch.setattr("postguard.console.users.RELOAD_CHECK_SECONDS", 0.0)
    path.write_text(users_yaml(entry("bob")))
    assert directory.get("alice") is None and directory.get("bob") is not None
    path.write_text("users: [\n")  # an invalid change keeps the previous accounts
    assert directory.get("bob") is not None


def run(argv: list[str], stdin: str = "") -> int:
    parser = argparse.ArgumentParser(prog="postguard")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        return args.handler(args)
    finally:
        sys.stdin = old


def test_add_user_writes_a_usable_file(tmp_path, capsys):
    path = tmp_path / "deploy" / "users.yaml"
    argv = ["console", "add-user", "--users", str(path), "--username", "alice", "--role", "admin"]
    argv += ["--institution", "demo-hospital", "--institution", "riverside-clinic", "--password-stdin"]
    assert run(argv, "a long enough password\n") == 0
    assert "added admin alice" in capsys.readouterr().out
    assert path.stat().st_mode & 0o777 == 0o600
    assert "a long enough password" not in path.read_text()
    [alice] = load_users(path)
    assert alice.institutions == frozenset({"demo-hospital", "riverside-clinic"}) and alice.role is Role.ADMIN
    assert UserDirectory.from_file(path).authenticate("alice", "a long enough password") is not None
    assert run(argv, "another long password\n") == 2  # exists
    assert "pass --replace" in capsys.readouterr().err
    assert run([*argv, "--replace"], "another long password\n") == 0
    assert UserDirectory.from_file(path).authenticate("alice", "another long password") is not None
    assert run(["console", "check-users", str(path)]) == 0
    assert "1 user(s) (0 reviewer, 1 admin)" in capsys.readouterr().out


def test_add_user_refuses_short_passwords_and_bad_names(tmp_path, capsys):
    path = tmp_path / "users.yaml"
    base = ["console", "add-user", "--users", str(path), "--institution", "demo-hospital", "--password-stdin"]
    assert run([*base, "--username", "alice"], "short\n") == 2
    assert "at least 12 characters" in capsys.readouterr().err
    assert run([*base, "--username", "no spaces"], "a long enough password\n") == 2
    assert not path.exists()


def test_add_user_has_no_password_option():
    parser = argparse.ArgumentParser(prog="postguard")
    cli.register(parser.add_subparsers(dest="command"))
    with pytest.raises(SystemExit):
        parser.parse_args(["console", "add-user", "--users", "u", "--username", "a", "--institution", "i",
                           "--password", "x"])  # fmt: skip


def test_check_users_reports_file_and_line(tmp_path, capsys):
    path = tmp_path / "users.yaml"
    path.write_text(users_yaml(entry(role="owner")))
    assert run(["console", "check-users", str(path)]) == 2
    assert f"{path}:5: users[0].role must be reviewer or admin" in capsys.readouterr().err
    path.write_text("users: []\n")
    assert run(["console", "check-users", str(path)]) == 1
    weak = tmp_path / "weak.yaml"
    weak.write_text(users_yaml(entry()))
    assert run(["console", "check-users", str(weak)]) == 0
    assert "weaker parameters" in capsys.readouterr().out  # FAST_HASHER's hashes are below the defaults
