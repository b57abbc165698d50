"""Link destinations: which kind of page a link's host is (reference, person, shortener, file share).

The domain lists live in ``data/links.yaml``. A list entry matches its own host and every subdomain,
compared on whole labels ("nhs.uk" matches "leeds.nhs.uk", "cdc.gov" does not match
"cdc.gov.example.net"), which is the registrable-domain match the Public Suffix List would give for
these entries without a suffix list (entries may themselves be public suffixes: "gov", "gov.uk").
"""

from __future__ import annotations

from collections.abc import Iterable

from postguard.domain.identifiers.lexicons import rule_file

_DATA = rule_file("links.yaml")
REFERENCE_LISTS = (
    "journal_domains",
    "public_body_domains",
    "professional_body_domains",
    "news_domains",
    "encyclopedia_domains",
)


class DomainSet:
    """Hosts matched by label suffix: an entry matches itself and its subdomains."""

    def __init__(self, entries: Iterable[str]) -> None:
        self._entries = frozenset(e.lower().strip(".") for e in entries)
        self._depth = max((e.count(".") + 1 for e in self._entries), default=0)

    def match(self, host: str) -> str | None:
        """The entry ``host`` falls under (the longest), or None."""
        labels = host.lower().strip(".").split(".")
        for size in range(min(self._depth, len(labels)), 0, -1):
            candidate = ".".join(labels[-size:])
            if candidate in self._entries:
                return candidate
        return None

    def __contains__(self, host: object) -> bool:
        return isinstance(host, str) and self.match(host) is not None


REFERENCES = DomainSet(w for name in REFERENCE_LISTS for w in _DATA.words(name))
ACADEMIC = DomainSet(_DATA.words("academic_domains"))
"""References too, but hosting personal pages: a person path there ("/~jdoe", "/people/") wins."""
SHORTENERS = DomainSet(_DATA.words("shortener_domains"))
FUNDRAISERS = DomainSet(_DATA.words("fundraiser_domains"))
OBITUARIES = DomainSet(_DATA.words("obituary_domains"))
PROFILES = DomainSet(_DATA.words("profile_domains"))
PERSONAL_HOSTS = DomainSet(_DATA.words("personal_page_hosts"))
FILE_SHARES = DomainSet(_DATA.words("file_share_domains"))
RESERVED_PATHS: frozenset[str] = _DATA.words("profile_reserved_paths")
ORG_SUFFIXES: frozenset[str] = _DATA.words("org_handle_suffixes")
_ORG_NAMES: frozenset[str] = frozenset(
    label
    for name in REFERENCE_LISTS
    for domain in _DATA.words(name)
    if len(label := "".join(c for c in domain.split(".")[0] if c.isalpha())) >= 3
    and label not in ("www", "gov", "mil", "news")
)
"""The first labels of the reference domains (cdc, nejm, bbc, nice): the names their accounts carry."""
CONFIDENCE: dict[str, float] = {
    "reference": _DATA.number("reference_confidence"),
    "shortened": _DATA.number("shortened_confidence"),
    "person": _DATA.number("person_confidence"),
    "record": _DATA.number("record_confidence"),
    "other": _DATA.number("other_confidence"),
}
"""The confidence of a link finding by its link_kind."""


def profile_path(host: str, path: str) -> bool:
    """Does ``path`` on a social network ``host`` name an account (x.com/<user>, linkedin.com/in/<x>)?"""
    if host not in PROFILES:
        return False
    first = next((part for part in path.split("/") if part), "")
    if not first:
        return False
    return first.startswith("@") or first.lower() not in RESERVED_PATHS


def account_name(path: str) -> str:
    """The account a profile path names (``/@Some_Body/status/1`` -> ``somebody``), letters only."""
    first = next((part for part in path.split("/") if part), "")
    return "".join(c for c in first.lower() if c.isalpha())


def organisation_account(path: str) -> bool:
    """Is the account a reference body's own (x.com/CDCgov, instagram.com/nhsengland, x.com/US_FDA): its
    name is a reference domain's name, alone or with a usual ending or prefix (gov, news, uk, us...)?"""
    name = account_name(path)
    names = {name, name.removeprefix("the")}
    if names & _ORG_NAMES:
        return True
    return any(
        (n.startswith(org) and n[len(org) :] in ORG_SUFFIXES)
        or (n.endswith(org) and n[: -len(org)] in ORG_SUFFIXES)
        for n in names
        for org in _ORG_NAMES
    )


def personal_subdomain(host: str) -> bool:
    """Is ``host`` someone's own page on a blog host (someone.wordpress.com, not www.wordpress.com)?"""
    entry = PERSONAL_HOSTS.match(host)
    if entry is None:
        return False
    rest = host.lower().strip(".")[: -len(entry)].rstrip(".")
    return bool(rest) and rest not in ("www", "en", "m")
