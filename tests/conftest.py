"""Fixtures for every test directory: ``pki``, a throw-away certificate authority (tests/tls_support.py)."""

from __future__ import annotations

import pytest
from tls_support import Pki, make_pki, require_cryptography


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """The session's test CA with a localhost server certificate; ``pki.client(cn)`` issues client certs."""
    require_cryptography()
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def rogue_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A second, untrusted CA: its client certificates must be refused by servers trusting ``pki``."""
    require_cryptography()
    return make_pki(tmp_path_factory.mktemp("rogue-pki"), name="Rogue CA")
