"""Phone and fax numbers: NANP-validated US numbers and +country international numbers."""

from __future__ import annotations

import re

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.identifiers.validators import digits_of, nanp_valid
from postguard.domain.types import Finding, IdentifierLabel

_NANP = re.compile(
    r"(?<![\w+\-])(?:\+?1[\s.\-]?)?(?:\(\d{3}\)[\s.\-]?|\d{3}[\s.\-])\d{3}[\s.\-]\d{4}(?![\w\-])"
    r"|(?<![\w+\-])(?:\+?1)?\d{10}(?![\w\-])"
)
_INTERNATIONAL = re.compile(r"(?<![\w+])\+(?!1\b)[2-9]\d{0,2}(?:[\s.\-]?\(?\d{1,5}\)?){2,6}(?![\w\-])")
_PHONE_CUE = re.compile(
    r"\b(?:call|called|calling|calls|phone|tel|telephone|cell|mobile|text|contact|reach|ring|number|ph|hotline|line|whatsapp)\b",
    re.IGNORECASE,
)
_FAX_CUE = re.compile(r"\b(?:fax|facsimile|fx)\b", re.IGNORECASE)


class PhoneRecognizer(Recognizer):
    """``(617) 555-0123``, ``617.555.0123``, ``+44 20 7946 0958``; FAX when a fax cue precedes it.

    Ten bare digits count only after a phone or fax cue (otherwise they are more often record numbers).
    """

    name = "PhoneRecognizer"
    labels = (IdentifierLabel.PHONE, IdentifierLabel.FAX)

    def analyze(self, analysis: Analysis) -> list[Finding]:
        found = []
        for m in _NANP.finditer(analysis.text):
            if not nanp_valid(m.group()):
                continue
            found.extend(self._finding(analysis, m.start(), m.end(), bare=m.group().isdigit()))
        for m in _INTERNATIONAL.finditer(analysis.text):
            if 8 <= len(digits_of(m.group())) <= 15:
                found.extend(self._finding(analysis, m.start(), m.end(), bare=False))
        return found

    def _finding(self, analysis: Analysis, start: int, end: int, *, bare: bool) -> list[Finding]:
        before = analysis.before(start, 30)
        fax = _FAX_CUE.search(before)
        phone = _PHONE_CUE.search(before)
        # the nearer cue decides between phone and fax ("call 555-... or fax 555-...")
        if fax and (not phone or fax.start() > phone.start()):
            return [self.finding(IdentifierLabel.FAX, start, end, 0.95)]
        if bare and not phone:
            return []
        return [self.finding(IdentifierLabel.PHONE, start, end, 0.95 if phone else 0.85)]
