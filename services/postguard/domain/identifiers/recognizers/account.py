"""Account numbers: billing / bank accounts after a cue, and payment card numbers passing Luhn."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizers.numbered import ContextualNumberRecognizer
from postguard.domain.identifiers.validators import digits_of, iban_valid, luhn_valid
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("account.yaml")


_CARD = _DATA.regex("card")
_IBAN = _DATA.regex("iban")


class AccountNumberRecognizer(ContextualNumberRecognizer):
    """``account #12345678``, card numbers ``4111 1111 1111 1111`` (Luhn), IBANs (mod 97)."""

    name = "AccountNumberRecognizer"
    labels = (IdentifierLabel.ACCOUNT_NUMBER,)
    triggers = (_DATA.regex("trigger_numbers"),)
    context: ClassVar[tuple[str, ...]] = _DATA.phrases("context")
    min_digits = int(_DATA.number("min_digits"))
    context_confidence = _DATA.number("context_confidence")

    def standalone(self, analysis: Analysis) -> Iterable[Finding]:
        for m in _CARD.finditer(analysis.text):
            digits = digits_of(m.group())
            if 13 <= len(digits) <= 19 and luhn_valid(digits):
                yield self.finding(self.labels[0], m.start(), m.end(), _DATA.number("card_confidence"))
        for m in _IBAN.finditer(analysis.text):
            if iban_valid(m.group()):
                yield self.finding(self.labels[0], m.start(), m.end(), _DATA.number("iban_confidence"))
