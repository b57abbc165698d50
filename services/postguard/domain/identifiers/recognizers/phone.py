"""Phone and fax numbers: NANP-validated US numbers, +country numbers, and any dialable number after a cue."""

from __future__ import annotations

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.identifiers.validators import digits_of, nanp_valid
from postguard.domain.spans import DisjointSpans
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("phone.yaml")
_NANP = _DATA.regex("nanp")
_INTERNATIONAL = _DATA.regex("international")
_GENERIC = _DATA.regex("generic")
"""Any dialable-looking number: used only next to a phone / fax cue."""
_PHONE_CUE = _DATA.regex("phone_cue")
_STRONG_CUE = _DATA.regex("strong_cue")
_OTHER_SHAPE = _DATA.regex("other_shape")
_FAX_CUE = _DATA.regex("fax_cue")
_CUE_AFTER = _DATA.regex("cue_after")
_EXTENSION_START = _DATA.regex("extension")
_TOLL_FREE = frozenset({"800", "888", "877", "866", "855", "844", "833"})


class PhoneRecognizer(Recognizer):
    """``(617) 555-0123``, ``617.555.0123 x12``, ``+44 20 7946 0958``; FAX when a fax cue is nearest.

    Ten bare digits, or other national formats ("0490 75 40 81"), count only next to a phone or fax
    cue. Toll-free numbers belong to organisations: 0.4, under the usual 0.5 policy threshold.
    """

    name = "PhoneRecognizer"
    labels = (IdentifierLabel.PHONE, IdentifierLabel.FAX)
    triggers = (_DATA.regex("trigger"),)

    def analyze(self, analysis: Analysis) -> list[Finding]:
        found: list[Finding] = []
        taken = DisjointSpans()  # the numbers found so far never overlap: bisection, not a scan
        for m in _NANP.finditer(analysis.text):
            number = _EXTENSION_START.split(m.group(), maxsplit=1)[0]
            if not nanp_valid(number.removeprefix("001")):
                continue
            toll_free = digits_of(number)[-10:-7] in _TOLL_FREE
            found.extend(
                self._finding(analysis, m.start(), m.end(), bare=m.group().isdigit(), toll_free=toll_free)
            )
            taken.add(*m.span())
        for m in _INTERNATIONAL.finditer(analysis.text):
            if 8 <= len(digits_of(m.group())) <= 15 and not taken.overlaps(*m.span()):
                found.extend(self._finding(analysis, m.start(), m.end(), bare=False))
                taken.add(*m.span())
        for m in _GENERIC.finditer(analysis.text):
            start, end = m.start(), m.end() - (len(m.group()) - len(m.group().rstrip(" .-(")))
            value = analysis.text[start:end]
            if not 7 <= len(digits_of(value)) <= 15 or taken.overlaps(start, end):
                continue
            # a "Phone:" label vouches for any format; a trailing "office" only for unambiguous shapes
            strong = bool(_STRONG_CUE.search(analysis.before(start, 20)))
            if strong or (_CUE_AFTER.match(analysis.after(end, 12)) and not _OTHER_SHAPE.fullmatch(value)):
                found.extend(self._finding(analysis, start, end, bare=False, confidence=0.8))
        return found

    def _finding(
        self,
        analysis: Analysis,
        start: int,
        end: int,
        *,
        bare: bool,
        toll_free: bool = False,
        confidence: float | None = None,
    ) -> list[Finding]:
        before = analysis.before(start, 30)
        after = _CUE_AFTER.match(analysis.after(end, 12))
        fax = _FAX_CUE.search(before)
        phone = _PHONE_CUE.search(before)
        # the nearer cue decides between phone and fax ("call 555-... or fax 555-...")
        if (after and "fax" in after.group().lower()) or (fax and (not phone or fax.start() > phone.start())):
            return [self.finding(IdentifierLabel.FAX, start, end, confidence or 0.95)]
        if bare and not phone:
            return []
        if toll_free:
            return [self.finding(IdentifierLabel.PHONE, start, end, 0.4)]
        return [self.finding(IdentifierLabel.PHONE, start, end, confidence or (0.95 if phone else 0.85))]
