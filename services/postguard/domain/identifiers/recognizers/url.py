"""Web addresses: scheme or www links and bare domains, each with the kind of page it points at.

Every link gets a ``link_kind`` attribute: ``reference`` (journals, public bodies, news, professional
bodies: not an identifier, found under every shipped policy's bar so the numbers inside it stay part of
the link), ``person`` (a social profile, fundraiser, obituary, personal page), ``shortened`` (unknown
destination: low confidence, the policy decides), ``record`` (file shares, record portals) or
``other``. The domain lists are data (``data/links.yaml``); the institution's own domains are policy.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.identifiers.recognizers import links
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("url.yaml")
_URL = _DATA.regex("url")
_TRAILING = ".,;:!?)]}'\""
_RECORD = _DATA.regex("record")
_QUERY_ID = _DATA.regex("query_id")
_PERSON_PATH = _DATA.regex("person_path")
_OBITUARY = _DATA.regex("obituary_path")


def split_link(value: str) -> tuple[str, str]:
    """(host, path with query) of a link as written; ("", "") when it cannot be parsed."""
    candidate = value if "://" in value else f"http://{value}"
    try:
        parts = urlsplit(candidate)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "", ""
    query = f"?{parts.query}" if parts.query else ""
    return host, f"{parts.path}{query}"


def link_kind(value: str) -> str:
    """The kind of page ``value`` points at: reference, person, shortened, record or other."""
    host, path = split_link(value)
    if not host:
        return "other"
    if host in links.FILE_SHARES or _RECORD.search(path) or "mychart" in host:
        return "record"
    if host in links.SHORTENERS:
        return "shortened"
    if host in links.FUNDRAISERS or host in links.OBITUARIES or _OBITUARY.search(f"{host}{path}"):
        return "person"
    if host in links.ACADEMIC:
        return "person" if _PERSON_PATH.search(path) else "reference"
    if host in links.REFERENCES:
        return "reference"
    if _QUERY_ID.search(path):
        return "record"
    if links.profile_path(host, path.split("?", 1)[0]):
        return "reference" if links.organisation_account(path) else "person"
    if links.personal_subdomain(host):
        return "person"
    if _PERSON_PATH.search(path):
        return "person"
    return "other"


class UrlRecognizer(Recognizer):
    """Links, each with its ``link_kind`` and the confidence of that kind."""

    name = "UrlRecognizer"
    labels = (IdentifierLabel.URL,)
    triggers = (_DATA.regex("trigger"),)

    def analyze(self, analysis: Analysis) -> list[Finding]:
        found = []
        for m in _URL.finditer(analysis.text):
            value = m.group().rstrip(_TRAILING)
            if not value or value[-1] == "@":
                continue
            kind = link_kind(value)
            finding = self.finding(
                IdentifierLabel.URL, m.start(), m.start() + len(value), links.CONFIDENCE[kind]
            )
            found.append(replace(finding, attributes=(("link_kind", kind),)))
        return found
