"""Who is using the console and what they may do: a logged-in account or an OIDC proxy's headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from postguard.console.users import Role, User


@dataclass(frozen=True, slots=True)
class Principal:
    """The person behind a request: their name and a role per institution they may see."""

    username: str
    roles: tuple[tuple[str, Role], ...]
    """(institution_id, role) pairs, sorted; an institution not listed is invisible to this person."""
    method: str = "password"

    @property
    def institutions(self) -> frozenset[str]:
        return frozenset(inst for inst, _ in self.roles)

    def role(self, institution_id: str) -> Role | None:
        return dict(self.roles).get(institution_id)

    def can_see(self, institution_id: str) -> bool:
        return self.role(institution_id) is not None

    def is_admin(self, institution_id: str) -> bool:
        return self.role(institution_id) is Role.ADMIN

    def admin_of_all(self, institutions: frozenset[str]) -> bool:
        """True when this person is an admin of every one of ``institutions`` (and there is one)."""
        return bool(institutions) and all(self.is_admin(i) for i in institutions)

    @property
    def any_admin(self) -> bool:
        return any(role is Role.ADMIN for _, role in self.roles)


def from_user(user: User) -> Principal:
    """The principal of a logged-in account: its role in each of its institutions."""
    return Principal(user.username, tuple(sorted((i, user.role) for i in user.institutions)), "password")


def parse_groups(raw: str, prefix: str) -> tuple[tuple[str, Role], ...]:
    """Roles from a groups header: ``<prefix>:<institution>:<role>`` entries; others are ignored.

    Separated by commas (oauth2-proxy's X-Forwarded-Groups) or spaces. An institution granted both roles
    is an admin there.
    """
    roles: dict[str, Role] = {}
    for group in raw.replace(",", " ").split():
        parts = group.split(":")
        if len(parts) != 3 or parts[0] != prefix or not parts[1] or parts[1] == "*":
            continue
        if parts[2] not in {r.value for r in Role}:
            continue
        role = Role(parts[2])
        if roles.get(parts[1]) is not Role.ADMIN:
            roles[parts[1]] = role
    return tuple(sorted(roles.items()))


def from_proxy_headers(
    headers: Mapping[str, str], user_header: str, groups_header: str, prefix: str
) -> Principal | None:
    """The principal an authenticating proxy vouches for, or None without a user or any PostGuard group.

    Only call this in oidc-proxy mode: the proxy must strip these headers from client requests.
    """
    username = headers.get(user_header, "").strip()
    if not username:
        return None
    roles = parse_groups(headers.get(groups_header, ""), prefix)
    if not roles:
        return None
    return Principal(username, roles, "oidc-proxy")
