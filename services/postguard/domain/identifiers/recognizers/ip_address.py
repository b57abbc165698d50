"""IPv4 and IPv6 addresses, validated with :mod:`ipaddress`."""

from __future__ import annotations

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.identifiers.validators import ip_valid
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("ip_address.yaml")
_IPV4 = _DATA.regex("ipv4")
_IPV6 = _DATA.regex("ipv6")
_VERSION = _DATA.regex("version")


class IpAddressRecognizer(Recognizer):
    """``192.168.10.4``, ``2001:db8::1``; version numbers ("version 1.2.3.4") are skipped."""

    name = "IpAddressRecognizer"
    labels = (IdentifierLabel.IP_ADDRESS,)
    triggers = (_DATA.regex("trigger"), _DATA.regex("trigger_colons"))

    def analyze(self, analysis: Analysis) -> list[Finding]:
        found = []
        for m in _IPV4.finditer(analysis.text):
            if ip_valid(m.group()) and not _VERSION.search(analysis.before(m.start(), 12)):
                found.append(self.finding(IdentifierLabel.IP_ADDRESS, m.start(), m.end(), 0.9))
        for m in _IPV6.finditer(analysis.text):
            value = m.group()
            if value.count(":") >= 2 and any(c.isalnum() for c in value) and ip_valid(value):
                found.append(self.finding(IdentifierLabel.IP_ADDRESS, m.start(), m.end(), 0.9))
        return found
