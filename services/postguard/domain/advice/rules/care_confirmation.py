"""CARE_CONFIRMATION: a post that confirms or implies that an identifiable person was a patient here.

An institution replying to a review ("thanks for your kind words about your stay on our cardiac ward")
confirms the reviewer was its patient. The rule needs two cues: an addressee (a reply to a @handle, a
reply to a review or message, a named person or family, a vocative name) and a care event that belongs
to that addressee ("your stay", "looked after you", "great to see you back on the ward"). A thank-you that
names no care ("Thank you for your kind words!") confirms nothing, and neither do hypotheses ("if you
stayed with us"), refusals ("we can't discuss your care"), bookings ("book your appointment online"),
care given by a colleague ("thank you for your care") or posts about colleagues.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from postguard.domain.advice.rules.base import ContentRule, DocCues, TokenPattern
from postguard.domain.advice.rules.data import expand, load
from postguard.domain.advice.rules.personal_advice import is_reply, vocative
from postguard.domain.engine.context import HYPOTHETICAL
from postguard.domain.types import ContentLabel, Finding

YOUR_CARE = "CC:YOUR_CARE"
THIRD_CARE = "CC:THIRD_CARE"
CARED_FOR = "CC:CARED_FOR"
PRIVILEGED_CARE = "CC:PRIVILEGED_CARE"
BACK_ON_WARD = "CC:BACK_ON_WARD"
TIME_HERE = "CC:TIME_HERE"
CAME_IN = "CC:CAME_IN"
DURING_CARE = "CC:DURING_CARE"
THANKS_FOR_MESSAGE = "CC:THANKS_FOR_MESSAGE"
OUR_UNIT = "CC:OUR_UNIT"
NAMED = "CC:NAMED"
STAFF_ADDRESS = "CC:STAFF_ADDRESS"
REPLY_FRAME = "CC:REPLY_FRAME"
APOLOGY = "CC:APOLOGY"
BROADCAST = "CC:BROADCAST"
INSTITUTION_LINK = "CC:INSTITUTION_LINK"
REFUSAL = "CC:REFUSAL"
STAFF_CONTEXT = "CC:STAFF_CONTEXT"
SEE_YOU_NEXT = "CC:SEE_YOU_NEXT"
STAFF_FOR_YOU = "CC:STAFF_FOR_YOU"
THIRD_LINKED = "CC:THIRD_LINKED"
GOING_HOME = "CC:GOING_HOME"
EPITHET = "CC:EPITHET"
YOUR_RELATIVE = "CC:YOUR_RELATIVE"
ON_THE_UNIT = "CC:ON_THE_UNIT"
REVIEW = "CC:REVIEW"

DATA = load("care_confirmation.yaml")

CARE_NOUNS: frozenset[str] = DATA.words("care_nouns")
HERE_NOUNS: frozenset[str] = DATA.words("here_nouns")
"""Care events that by themselves place the care at the institution replying."""
RECORD_NOUNS: frozenset[str] = DATA.words("record_nouns")
_HYPOTHETICALS = DATA.words("hypotheticals")
_PROSPECTIVE = DATA.words("prospective_verbs")
_THANKS = DATA.words("thanks_words")
_GIVING_NOUNS = DATA.words("giving_nouns")
_NOT_CARE_AFTER = DATA.words("not_care_after")
_GIVING_AFTER = DATA.words("giving_after")
_GIVEN_CARE = DATA.words("given_care_nouns")
_FIRST_PLURAL = DATA.words("first_plural")
_YOU_WORDS = DATA.words("possessives") | {"you", "u"}
LINKED_CONFIDENCE = DATA.number("linked_confidence")
HERE_CONFIDENCE = DATA.number("here_confidence")
WEAK_CONFIDENCE = DATA.number("weak_confidence")
THANKS_WINDOW = int(DATA.number("thanks_window"))

_PATTERN_LISTS = {
    name: sorted(DATA.words(name))
    for name in (
        "possessives",
        "third_possessives",
        "care_nouns",
        "breakers",
        "units",
        "care_verbs",
        "care_verbs_base",
        "privilege_words",
        "honorifics",
        "staff_titles",
    )
} | {
    name: sorted(DATA.words(name))
    for name in (
        "greetings",
        "not_names",
        "address_verbs",
        "message_nouns",
        "staff_units",
        "relatives",
        "epithets",
    )
}
"""The word lists this rule's token patterns refer to as ``$name``."""
_PATTERN_KEYS = {
    YOUR_CARE: "your_care_event",
    THIRD_CARE: "third_care_event",
    CARED_FOR: "cared_for_you",
    PRIVILEGED_CARE: "privileged_care",
    BACK_ON_WARD: "back_on_the_ward",
    TIME_HERE: "your_time_here",
    CAME_IN: "came_in",
    DURING_CARE: "during_care",
    THANKS_FOR_MESSAGE: "thanks_for_message",
    OUR_UNIT: "our_unit",
    NAMED: "named_address",
    STAFF_ADDRESS: "staff_address",
    SEE_YOU_NEXT: "see_you_next",
    STAFF_FOR_YOU: "staff_for_you",
    THIRD_LINKED: "third_linked",
    GOING_HOME: "going_home",
    EPITHET: "patient_epithet",
    YOUR_RELATIVE: "your_relative",
}
"""Cue key -> its token-pattern entry in care_confirmation.yaml."""
_NOUN_EVENTS = (YOUR_CARE, THIRD_CARE)
_TOLD_EVENTS = (SEE_YOU_NEXT, STAFF_FOR_YOU, THIRD_LINKED, GOING_HOME, EPITHET)
_CARE_EVENTS = (
    *_NOUN_EVENTS,
    CARED_FOR,
    PRIVILEGED_CARE,
    BACK_ON_WARD,
    TIME_HERE,
    CAME_IN,
    DURING_CARE,
    *_TOLD_EVENTS,
)
_LINKED_EVENTS = frozenset({CARED_FOR, PRIVILEGED_CARE, BACK_ON_WARD, TIME_HERE, CAME_IN, *_TOLD_EVENTS})
_NEEDS_LINK = frozenset({DURING_CARE, GOING_HOME})
_ANSWERS = frozenset({"frame", "apology"})
"""Addressees that are a reviewer or a complainant by the post's own wording: a colleague named in a
later sentence of such an answer does not make the whole post about colleagues."""

_ADDRESSEE_TEXTS = {
    "reply": "replies to one account (a leading @handle)",
    "frame": "answers one person's review or message ('thanks for your kind words', 'sorry to hear')",
    "named": "addresses a named person or family",
    "apology": "apologises to one person ('we're sorry your ...')",
    "vocative": "addresses a person by name",
    "handle": "addresses a @handle",
}
_CARE_TEXTS = {
    "linked": "mentions care they had here (from a ward, team or staff of this institution, in its records)",
    "here": "mentions a stay, visit, appointment or admission of theirs",
    "weak": "mentions a surgery, treatment or recovery of theirs",
}
SUGGESTION = (
    'Thank the person without mentioning their care ("Thank you for your kind words!"), and move the '
    "conversation to a private channel such as the patient-relations office."
)


@dataclass(frozen=True)
class _Event:
    """One care event that survived the cancelling checks: its cue key and token span."""

    key: str
    start: int
    end: int


class CareConfirmationRule(ContentRule):
    """Addressee cue + the addressee's own care event in the same sentence (or anywhere in a reply)."""

    label = ContentLabel.CARE_CONFIRMATION
    locator_keys = (YOUR_CARE, CARED_FOR, BACK_ON_WARD, REPLY_FRAME, NAMED)

    def token_patterns(self) -> dict[str, list[TokenPattern]]:
        return {key: expand(DATA.patterns(entry), _PATTERN_LISTS) for key, entry in _PATTERN_KEYS.items()}

    def phrases(self) -> dict[str, Iterable[str]]:
        return {
            REPLY_FRAME: DATA.phrases("reply_frames"),
            APOLOGY: DATA.phrases("apology_frames"),
            BROADCAST: DATA.phrases("broadcast_cues"),
            INSTITUTION_LINK: DATA.phrases("institution_links"),
            REFUSAL: DATA.phrases("privacy_refusals"),
            STAFF_CONTEXT: DATA.phrases("staff_context"),
            ON_THE_UNIT: DATA.phrases("on_the_unit"),
            REVIEW: DATA.words("review_words"),
        }

    def evaluate(self, cues: DocCues) -> list[Finding]:
        if not cues.has_any(_CARE_EVENTS):
            return []
        doc_addressee = _doc_addressee(cues)
        staff = (STAFF_ADDRESS, STAFF_CONTEXT)
        if cues.has_any(staff) and (doc_addressee not in _ANSWERS or cues.has_any(staff, 0)):
            return []  # a post to or about a colleague (or opening with one): its "you" is a colleague
        named = cues.has(NAMED)
        findings: list[Finding] = []
        for i in range(len(cues.sentences)):
            if not cues.has_any(_CARE_EVENTS, i) or cues.has_any(staff, i):
                continue  # an answer to a reviewer may still name a colleague ("we'll tell Sister Lee")
            addressee = doc_addressee or _sentence_addressee(cues, i)
            if addressee is None:
                continue  # "your stay" in a broadcast post addresses every reader, no one in particular
            events = _events(cues, i, named)
            if events:
                findings.append(self._finding(cues, i, addressee, events))
        return findings

    def _finding(self, cues: DocCues, i: int, addressee: str, events: list[_Event]) -> Finding:
        strength = _strength(cues, i, events)
        confidence = {"linked": LINKED_CONFIDENCE, "here": HERE_CONFIDENCE, "weak": WEAK_CONFIDENCE}[strength]
        reason = (
            f"The post {_ADDRESSEE_TEXTS[addressee]} and {_CARE_TEXTS[strength]}: this confirms "
            "that an identifiable person was a patient here."
        )
        span = (min(e.start for e in events), max(e.end for e in events))
        return self.finding(cues, span, confidence, reason, SUGGESTION)


def _doc_addressee(cues: DocCues) -> str | None:
    """Who the whole post addresses: one account, one reviewer, one named person or family (else None)."""
    if is_reply(cues):
        return "reply"
    if cues.has_any((REPLY_FRAME, THANKS_FOR_MESSAGE)):
        return "frame"
    if cues.has(NAMED):
        return "named"
    if cues.has(APOLOGY) and not cues.has(BROADCAST):
        return "apology"  # "We're sorry your visit ..." unless it is a notice to many
    return None


def _sentence_addressee(cues: DocCues, i: int) -> str | None:
    """Who sentence ``i`` addresses when the post as a whole addresses no one: a @handle, a vocative name."""
    if _has_handle(cues, i):
        return "handle"
    if vocative(cues, i):
        return "vocative"
    return None


def _has_handle(cues: DocCues, i: int) -> bool:
    """Whether sentence ``i`` holds a @handle."""
    return any(tok.text.startswith("@") and len(tok) > 1 for tok in cues.sentences[i])


def _events(cues: DocCues, i: int, named: bool) -> list[_Event]:
    """The care events of sentence ``i`` that belong to the addressee and are not cancelled."""
    sent = cues.sentences[i]
    first = cues.first_word(i, frozenset())
    if first is not None and cues.doc[first].lower_ in _HYPOTHETICALS:
        return []  # "If you stayed with us recently, ..." confirms nothing
    refusal_ends = [end for _, end in cues.spans(REFUSAL, i)]
    we_speak = any(tok.lower_ in _FIRST_PLURAL for tok in sent)
    linked = cues.has_any((OUR_UNIT, INSTITUTION_LINK), i)
    family = named or cues.has(YOUR_RELATIVE, i)
    told = family or _has_handle(cues, i)  # "@kim, who came through our ..."
    events: list[_Event] = []
    for key in _CARE_EVENTS:
        if (key == THIRD_CARE and not family) or (key == THIRD_LINKED and not told):
            continue  # "his cast" counts next to "your son" or a named family
        if key == CARED_FOR and not we_speak:
            continue
        if key in _NEEDS_LINK and not (linked or (key == GOING_HOME and cues.has(ON_THE_UNIT, i))):
            continue  # "during chemo, eat small meals" is advice, "during rehab with us" is care here
        if key == GOING_HOME and not any(tok.lower_ in _YOU_WORDS for tok in sent):
            continue  # "our nurses are heading home" is not the addressee's discharge
        for start, end in cues.spans(key, i):
            refused = any(r <= start for r in refusal_ends)
            if refused or cues.negated(start) or _hypothetical(cues, start, end):
                continue  # "we can't discuss your care here"
            if key in (*_NOUN_EVENTS, TIME_HERE) and not _own_care(cues, start, end):
                continue
            events.append(_Event(key, start, end))
    return events


def _hypothetical(cues: DocCues, start: int, end: int) -> bool:
    """A care event inside a condition ("... and if your stay was not what you hoped"): the shared
    context component's hypothetical reach (``domain.engine.context``)."""
    return HYPOTHETICAL in cues.context.categories(start, end)


def _own_care(cues: DocCues, start: int, end: int) -> bool:
    """Whether "your <care noun>" at ``[start, end)`` is care the addressee received (not a booking,
    care they gave, or a care team they are sent to)."""
    doc = cues.doc
    noun = doc[end - 1].lower_
    sent_end = cues.sentences[cues.sentence_of(start)].end
    if cues.preceded_by(start, _PROSPECTIVE, 3):
        return False  # "book your appointment online"
    after = doc[end].lower_ if end < sent_end else ""
    if after in _NOT_CARE_AFTER or (noun in _GIVEN_CARE and after in _GIVING_AFTER):
        return False  # "your care team", "your care of our patients"
    if not (start > 0 and doc[start - 1].lower_ == "for"):
        return True
    if cues.preceded_by(start - 1, _THANKS, THANKS_WINDOW):
        return noun not in _GIVING_NOUNS  # "thank you so much for your care"
    return noun not in HERE_NOUNS  # "what to bring for your appointment"


def _strength(cues: DocCues, i: int, events: list[_Event]) -> str:
    """How surely the care is placed at this institution: linked, here or weak."""
    nouns = {cues.doc[e.end - 1].lower_ for e in events if e.key in _NOUN_EVENTS}
    if cues.has_any((OUR_UNIT, INSTITUTION_LINK), i) or nouns & RECORD_NOUNS:
        return "linked"
    if any(e.key in _LINKED_EVENTS for e in events):
        return "linked"
    if nouns & HERE_NOUNS or cues.has(APOLOGY, i) or cues.has(REVIEW):
        return "here"  # an apology for it, or an answer to the person's own review, places it here
    return "weak"
