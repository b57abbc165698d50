"""InstitutionAuthorizer: credentials file validation, token and certificate identification, reloads.

The gRPC context is a stand-in here; tests/integration/test_grpc_auth.py runs the same over real mTLS.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import grpc
import pytest
from postguard.core.grpc_tls import ServerTls
from postguard.ingest import auth
from postguard.ingest.auth import (
    AuthMode,
    CredentialsError,
    InstitutionAuthorizer,
    load_credentials,
    mint_token,
    parse_credentials,
    token_sha256,
)
from postguard.ingest.service import build_authorizer
from postguard.ingest.settings import IngestSettings
from pydantic import ValidationError

pytestmark = pytest.mark.unit

TOKEN_A = "alpha-token-1f2e3d4c5b6a"
TOKEN_OPS = "ops-token-6a5b4c3d2e1f"


class AbortedError(Exception):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(f"{code.name}: {details}")
        self.code, self.details = code, details


class FakeContext:
    """The parts of grpc.ServicerContext the authorizer reads."""

    def __init__(
        self,
        metadata: tuple[tuple[str, str], ...] = (),
        cn: str | None = None,
        sans: tuple[str, ...] = (),
    ) -> None:
        self._metadata = metadata
        self._auth: dict[str, list[bytes]] = {"transport_security_type": [b"ssl"]}
        self._key = None
        if cn is not None:
            self._auth["x509_common_name"] = [cn.encode()]
            self._key = "x509_common_name"
        if sans:
            self._auth["x509_subject_alternative_name"] = [s.encode() for s in sans]
            self._key = "x509_subject_alternative_name"

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata

    def peer_identity_key(self) -> str | None:
        return self._key

    def auth_context(self) -> dict[str, list[bytes]]:
        return self._auth

    def abort(self, code: grpc.StatusCode, details: str) -> None:
        raise AbortedError(code, details)


def _bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


CLIENTS: dict[str, Any] = {
    "clients": [
        {
            "name": "comms-a",
            "institutions": ["demo-hospital"],
            "certificate_identities": ["comms-a", "spiffe://pg/comms-a"],
            "token_sha256": [token_sha256(TOKEN_A)],
        },
        {
            "name": "comms-b",
            "institutions": ["riverside-clinic", "north"],
            "certificate_identities": ["b.example"],
        },
        {"name": "ops", "institutions": ["*"], "token_sha256": [token_sha256(TOKEN_OPS).upper()]},
    ]
}


def _write(tmp_path: Path, data: Any, name: str = "clients.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _authorizer(tmp_path: Path, mode: str, data: Any = CLIENTS) -> InstitutionAuthorizer:
    return InstitutionAuthorizer.from_file(mode, _write(tmp_path, data))


def _ctx(context: FakeContext) -> grpc.ServicerContext:
    return context  # type: ignore[return-value]


def _allowed(authorizer: InstitutionAuthorizer, context: FakeContext) -> frozenset[str] | None:
    return authorizer.allowed_institutions(_ctx(context))


def _refused(authorizer: InstitutionAuthorizer, context: FakeContext) -> AbortedError:
    with pytest.raises(AbortedError) as info:
        _allowed(authorizer, context)
    assert info.value.code == grpc.StatusCode.UNAUTHENTICATED
    return info.value


# --- modes ------------------------------------------------------------------------------------------


def test_disabled_means_unrestricted() -> None:
    authorizer = InstitutionAuthorizer.disabled()
    assert _allowed(authorizer, FakeContext()) is None
    assert InstitutionAuthorizer.from_file("none", None).mode is AuthMode.NONE


def test_tokens_map_to_institutions(tmp_path: Path) -> None:
    authorizer = _authorizer(tmp_path, "token")
    assert _allowed(authorizer, FakeContext(_bearer(TOKEN_A))) == {"demo-hospital"}
    assert _allowed(authorizer, FakeContext(_bearer(TOKEN_OPS))) == {"*"}
    lower = FakeContext((("authorization", f"bearer   {TOKEN_A} "),))
    assert _allowed(authorizer, lower) == {"demo-hospital"}
    caller = authorizer.authenticate(_ctx(FakeContext(_bearer(TOKEN_A))))
    assert caller is not None and caller.names == ("comms-a",) and caller.method == "token"


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ((), "missing credentials: send metadata 'authorization: Bearer <token>'"),
        (_bearer("wrong-" + TOKEN_A), "invalid credentials: the bearer token is not recognised"),
        ((("authorization", f"Token {TOKEN_A}"),), "must be 'Bearer <token>'"),
        ((("authorization", "Bearer "),), "must be 'Bearer <token>'"),
        (_bearer(TOKEN_A) + _bearer(TOKEN_A), "more than one 'authorization' metadata entry"),
    ],
    ids=["missing", "unknown", "scheme", "empty", "twice"],
)
def test_bad_tokens_are_unauthenticated_without_echo(
    tmp_path: Path, metadata: tuple[tuple[str, str], ...], message: str
) -> None:
    err = _refused(_authorizer(tmp_path, "token"), FakeContext(metadata))
    assert message in err.details
    assert TOKEN_A not in err.details and "wrong-" not in err.details


def test_token_mode_ignores_certificates(tmp_path: Path) -> None:
    err = _refused(_authorizer(tmp_path, "token"), FakeContext(cn="comms-a"))
    assert "missing credentials" in err.details


def test_certificates_map_by_cn_or_san(tmp_path: Path) -> None:
    authorizer = _authorizer(tmp_path, "mtls")
    assert _allowed(authorizer, FakeContext(cn="comms-a")) == {"demo-hospital"}
    by_san = FakeContext(cn="unlisted-cn", sans=("b.example",))
    assert _allowed(authorizer, by_san) == {"riverside-clinic", "north"}
    both = FakeContext(cn="comms-a", sans=("b.example",))
    caller = authorizer.authenticate(_ctx(both))
    assert caller is not None and caller.names == ("comms-a", "comms-b")
    assert caller.institutions == {"demo-hospital", "riverside-clinic", "north"}


def test_certificate_failures(tmp_path: Path) -> None:
    authorizer = _authorizer(tmp_path, "mtls")
    assert "no verified client certificate" in _refused(authorizer, FakeContext()).details
    err = _refused(authorizer, FakeContext(cn="stranger", sans=("x.example",)))
    assert err.details == "invalid credentials: client certificate 'stranger', 'x.example' is not registered"
    # a token does not help in mtls mode
    assert "no verified client certificate" in _refused(authorizer, FakeContext(_bearer(TOKEN_A))).details


def test_mtls_or_token_prefers_a_sent_token(tmp_path: Path) -> None:
    authorizer = _authorizer(tmp_path, "mtls-or-token")
    with_both = FakeContext(_bearer(TOKEN_OPS), cn="comms-a")
    assert _allowed(authorizer, with_both) == {"*"}
    assert _allowed(authorizer, FakeContext(cn="comms-a")) == {"demo-hospital"}
    bad_token_good_cert = FakeContext(_bearer("nope"), cn="comms-a")
    assert "not recognised" in _refused(authorizer, bad_token_good_cert).details, "no fall-back"
    assert "or send 'authorization: Bearer <token>'" in _refused(authorizer, FakeContext()).details


# --- the credentials file ---------------------------------------------------------------------------


def _client(**fields: Any) -> dict[str, Any]:
    return {"clients": [{"name": "c", "institutions": ["i"], "token_sha256": ["a" * 64], **fields}]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "the top level must be a mapping with one key, clients"),
        ({"clients": []}, "clients: must be a non-empty list"),
        ({"clients": [], "tokens": []}, "one key, clients"),
        ({"clients": ["x"]}, "clients[0]: must be a mapping"),
        (_client(name=""), "clients[0].name: is required"),
        (_client(institutions=[]), "clients[0] (c).institutions: must list at least one entry"),
        (_client(institutions="i"), "clients[0] (c).institutions: must be a list of strings"),
        (_client(institutions=["*", "i"]), "'*' already grants every institution"),
        (
            _client(certificate_identities=[""]),
            "clients[0] (c).certificate_identities[0]: must be a non-empty",
        ),
        (
            _client(token_sha256=["plain-token-pasted-by-mistake"]),
            "token_sha256[0]: not a hex SHA-256 digest",
        ),
        (_client(token_sha256="a" * 64), "token_sha256: must be a list"),
        (_client(token_sha256=[]), "has neither certificate_identities nor token_sha256"),
        (_client(token_sha265=["a" * 64]), "unknown key(s) token_sha265"),
        (
            {"clients": [_client()["clients"][0], _client()["clients"][0]]},
            "client name 'c' is used twice",
        ),
        (
            {
                "clients": [
                    {"name": "a", "institutions": ["i"], "certificate_identities": ["cn"]},
                    {"name": "b", "institutions": ["j"], "certificate_identities": ["cn"]},
                ]
            },
            "certificate identity 'cn' is listed for 'a' and 'b'",
        ),
        (
            {
                "clients": [
                    {"name": "a", "institutions": ["i"], "token_sha256": ["a" * 64]},
                    {"name": "b", "institutions": ["j"], "token_sha256": ["A" * 64]},
                ]
            },
            "one token_sha256 is listed for 'a' and 'b'",
        ),
    ],
)
def test_invalid_credentials_are_named(data: Any, message: str) -> None:
    with pytest.raises(CredentialsError) as info:
        parse_credentials(data, "clients.yaml")
    assert str(info.value).startswith("clients.yaml: ")
    assert message in str(info.value)
    assert "plain-token-pasted-by-mistake" not in str(info.value)


def test_credentials_file_problems(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="no such file"):
        load_credentials(tmp_path / "missing.yaml")
    bad = _write(tmp_path, "clients:\n  - name: a\n    institutions: [x\n")
    with pytest.raises(CredentialsError, match=r"not valid YAML at line \d"):
        load_credentials(bad)
    with pytest.raises(CredentialsError, match="needs a credentials file"):
        InstitutionAuthorizer.from_file("token", None)
    only_tokens = {"clients": [{"name": "t", "institutions": ["i"], "token_sha256": ["b" * 64]}]}
    with pytest.raises(CredentialsError, match="mode mtls, but no client has certificate_identities"):
        _authorizer(tmp_path, "mtls", only_tokens)


def test_yaml_comments_and_institutions(tmp_path: Path) -> None:
    text = (
        "# who may call ingest\nclients:\n  - name: a  # comms platform\n    institutions: [x, y]\n"
        f"    token_sha256:\n      - {token_sha256(TOKEN_A)}\n"
    )
    authorizer = _authorizer(tmp_path, "token", text)
    assert authorizer.institutions == {"x", "y"}


def test_a_changed_file_is_reloaded_and_a_broken_one_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(auth, "RELOAD_CHECK_SECONDS", 0.0)
    path = _write(tmp_path, CLIENTS)
    authorizer = InstitutionAuthorizer.from_file("token", path)
    new_token = "rotated-token-0a1b2c3d"
    revoked = {
        "clients": [
            {"name": "comms-a", "institutions": ["demo-hospital"], "token_sha256": [token_sha256(new_token)]}
        ]
    }
    path.write_text(json.dumps(revoked), encoding="utf-8")
    os.utime(path, ns=(1, 10**18))  # a different mtime even on coarse clocks
    assert "not recognised" in _refused(authorizer, FakeContext(_bearer(TOKEN_A))).details, "revoked"
    assert _allowed(authorizer, FakeContext(_bearer(new_token))) == {"demo-hospital"}
    path.write_text("clients: [", encoding="utf-8")
    os.utime(path, ns=(2, 2 * 10**18))
    with caplog.at_level("ERROR", logger="postguard.ingest.auth"):
        assert _allowed(authorizer, FakeContext(_bearer(new_token))) == {"demo-hospital"}
    assert any("keeping the previous credentials" in r.getMessage() for r in caplog.records)


def test_the_example_in_docs_security_is_valid() -> None:
    import yaml

    doc = (Path(__file__).resolve().parents[3] / "docs" / "security.md").read_text(encoding="utf-8")
    example = doc.split("### The credentials file", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    clients = parse_credentials(yaml.safe_load(example), "docs/security.md")
    assert [c.name for c in clients] == ["demo-comms", "riverside-comms", "ops-oncall"]
    assert clients[2].all_institutions


def test_mint_token(capsys: pytest.CaptureFixture[str]) -> None:
    token, digest = mint_token()
    assert len(token) >= 40 and digest == token_sha256(token) and len(digest) == 64
    assert auth.main([]) == 0
    out = capsys.readouterr().out.splitlines()
    printed_token = out[0].split()[-1]
    assert out[1].split()[-1] == token_sha256(printed_token)


# --- settings and service wiring ---------------------------------------------------------------------


def test_settings_need_a_credentials_file_unless_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTGUARD_INGEST_AUTH_MODE", "token")
    with pytest.raises(ValidationError, match="needs POSTGUARD_INGEST_AUTH_CREDENTIALS_FILE"):
        IngestSettings()
    monkeypatch.setenv("POSTGUARD_INGEST_AUTH_MODE", "kerberos")
    with pytest.raises(ValidationError, match="auth_mode"):
        IngestSettings()
    monkeypatch.delenv("POSTGUARD_INGEST_AUTH_MODE")
    assert IngestSettings().auth_mode == "none"


def test_build_authorizer_checks_the_tls_setup(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _write(tmp_path, CLIENTS)
    settings = IngestSettings(auth_mode="mtls", auth_credentials_file=path)
    for tls in (None, ServerTls(Path("c"), Path("k"))):
        with pytest.raises(ValueError, match="needs mutual TLS"):
            build_authorizer(settings, tls)
    assert build_authorizer(settings, ServerTls(Path("c"), Path("k"), Path("ca"))).mode is AuthMode.MTLS
    with caplog.at_level("WARNING", logger="postguard.ingest.service"):
        build_authorizer(IngestSettings(auth_mode="token", auth_credentials_file=path), None)
        build_authorizer(IngestSettings(), None)
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "travel in clear" in messages and "authentication is off" in messages
