"""Whose name is it: the role of every PERSON mention (patient, relative, staff, public, account, unknown).

Decided from the post, in this order (cue words in ``data/roles.yaml``):

1. a cue attached to the name: a title or job word before it ("Dr.", "charge nurse") or a credential
   after it ("RN") makes it staff; a public title ("Minister") or an attribution ("according to",
   "et al.") public; "her daughter" a relative; "my patient", "little", "in bed", an age after it a
   patient; "I'm", "my name is" or a sign-off line ending the post the account's own;
2. the sentence: a patient-care word (lexicons' care words other than staff work, beds, diagnoses)
   makes it a patient's, even when the sentence also credits it ("a name both credited and in care
   context: patient wins"); otherwise the nearest credit or news cue makes it staff or public;
3. otherwise ``unknown`` (a handle with no cue: ``public``). An unknown name in a post with no patient
   care anywhere (no care or patient word, no clinical detail such as an age or a bed, no patient name
   found by a cue) is kept at a confidence under the usual 0.5 bar: "coffee with Sarah before the
   conference" is not a case post.

The role goes in the finding's ``role`` attribute and its cue (a rule word, never post text) in the
reason. ``patient``, ``relative`` and ``unknown`` names behave as before: they are patient details.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from postguard.domain.identifiers.lexicons import (
    CARE_ACRONYMS,
    HONORIFICS,
    english_words,
    medical_words,
    rule_file,
)
from postguard.domain.types import Finding, IdentifierLabel

if TYPE_CHECKING:
    from postguard.domain.identifiers.analysis import Analysis

PATIENT = "patient"
RELATIVE = "relative"
STAFF = "staff"
PUBLIC = "public"
ACCOUNT = "account"
UNKNOWN = "unknown"
ROLES = (PATIENT, RELATIVE, STAFF, PUBLIC, ACCOUNT, UNKNOWN)
NOT_PATIENT_ROLES = frozenset({STAFF, PUBLIC, ACCOUNT})
"""Roles whose names are not patient details (the policy decides what each gets)."""
HANDLE_FORM = ("form", "handle")

_DATA = rule_file("roles.yaml")
_CARE_ACRONYMS = frozenset(CARE_ACRONYMS)
_STAFF_WORK = frozenset(_DATA.phrases("staff_work"))
_STAFF_CUES = frozenset(_DATA.phrases("staff_cues"))
_PLACE_CUES = frozenset(_DATA.phrases("place_cues"))
_UNSURE = 0.4
"""Confidence of a lay-honorific name in a credit ("thanks to Mr. Lopez"): kept, below the usual 0.5."""
_NO_CARE = _DATA.number("no_care_confidence")
_CLINICAL_DETAIL = _DATA.regex("clinical_detail")
_CARE_LABELS = frozenset(w.upper() for w in _DATA.words("care_labels"))
_CARE_KINDS = frozenset(_DATA.words("care_kinds"))
_STORY_WORDS = _DATA.words("story_words")
_NO_CARE_CUE = "no care in the post"
_REASONS = {
    PATIENT: "A patient's name identifies them",
    RELATIVE: "A relative's name can identify the patient",
    STAFF: "A colleague's name, not a patient's: your policy decides whether colleagues may be named",
    PUBLIC: "A public figure's, author's or organisation's name, not a patient's",
    ACCOUNT: "The account's own name, not a patient's",
    UNKNOWN: "A name in a case post can identify the patient or their family",
}
_NO_CARE_REASON = "A name with no role cue in a post with no patient care: probably not a patient's"


def _alternation(items: Iterable[str]) -> str:
    """One flat alternation of the phrases, longest first, a space standing for any run of spaces."""
    ordered = sorted(set(items), key=lambda s: (-len(s), s))
    return "|".join(re.escape(item).replace(r"\ ", r"[ \t]+") for item in ordered)


def _before(name: str, *, plurals: bool = False) -> re.Pattern[str]:
    """A cue of list ``name`` ending the text (only spaces and , : - ( between it and the name);
    ``plurals``: each cue also with an "s" ("our receptionists, Tania and Graham")."""
    items = _DATA.phrases(name)
    if plurals:
        items = (*items, *(item + "s" for item in items if item[-1].isalpha() and not item.endswith("s")))
    return re.compile(rf"(?<![\w'’])(?:{_alternation(items)})[ \t,:(\-–]*$")


def _after(name: str, separators: str = r"[ \t,:(\-–]*", tail: str = "") -> re.Pattern[str]:
    """A cue of list ``name`` starting the text (after the separators), then ``tail`` (a lookahead)."""
    return re.compile(rf"{separators}(?:{_alternation(_DATA.phrases(name))})(?![\w]){tail}")


def _anywhere(name: str) -> re.Pattern[str]:
    """Any cue of list ``name`` as whole words."""
    return re.compile(rf"(?<![\w'’])(?:{_alternation(_DATA.phrases(name))})(?![\w])")


_STORY = re.compile(rf"(?<![\w'’])(?:{_alternation(_STORY_WORDS)})(?![\w])")
_STAFF_TITLE = _before("staff_titles")
_STAFF_TITLES = _before("staff_titles", plurals=True)
"""Job words also in the plural, before a list of colleagues ("our receptionists, Tania and Graham");
not past a lay honorific ("for our volunteers: Mr. Haskins passed" addresses them)."""
_WORK_VERB = _anywhere("work_verbs")
_KIN_AFTER = _after("kin_after", "")
_JOB_AFTER = _after("staff_titles", r"[ \t]+")
"""A staff title right after a care word ("ward manager", "theatre nurse")."""
_PUBLIC_TITLE = _before("public_titles")
# Attached cues (the longest match wins among those that match).
_ATTACHED_BEFORE = (
    (STAFF, _STAFF_TITLE),
    (PUBLIC, _PUBLIC_TITLE),
    (RELATIVE, _before("relative_before")),
    (PATIENT, _before("patient_before")),
    (STAFF, _before("staff_before")),
    (ACCOUNT, _before("account_before")),
    (PUBLIC, _before("public_before")),
)
_STRONG_BEFORE = 4
"""The first four attached-before cues (titles, relatives, patient words) beat any cue after the name."""
_APPOSITIVE = (
    r"(?:[ \t]*,[ \t]*(?:(?:our|my|the|a|an)[ \t]+)?|[ \t]+the[ \t]+)(?:new[ \t]+)?(?:[a-z]+[ \t]+){0,2}"
)
"""Between a name and a job title in apposition ("Aisling, our new clinical nurse specialist", "Kevin the
porter")."""
_ATTACHED_AFTER = (
    (STAFF, _after("staff_postnominals", r"[ \t]*(?:,[ \t]*)?", r"(?![ \t]*#?\d)")),  # "rm 412" is a room
    (STAFF, _after("staff_titles", _APPOSITIVE)),
    (RELATIVE, _after("relative_after", r"[ \t]*,[ \t]*")),
    (PATIENT, _KIN_AFTER),
    (PUBLIC, _after("public_after", r"[ \t]*")),
    (PATIENT, _after("patient_after")),
    (STAFF, _after("staff_after", r"[ \t]*")),
)
_TEAM_AFTER = _DATA.regex("team_after")
"""'from the bed management team': its cue is reported as a fixed phrase (the team's words are post text)."""
AGE_AFTER = _DATA.regex("age_after")
BED_OR_AGE_AFTER = _DATA.regex("bed_or_age_after")
"""A bed number or a birthday right after a name ("Lily Chen in 18"): matched at the name's end."""
_HOME_TOWN_AFTER = _DATA.regex("home_town_after")
_WORKPLACE_AFTER = _DATA.regex("workplace_after")
_PLACE_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
"""An age right after a name ("Maya, 4,"): matched at the name's end."""
_LAY_HONORIFICS = [*HONORIFICS, *rule_file("person.yaml").words("more_honorifics")]
_HONORIFIC_BEFORE = re.compile(rf"(?<![\w])(?:{_alternation(_LAY_HONORIFICS)})\.?[ \t]*$")
"""A lay honorific ending the text: lexicons' honorifics and person.yaml's more_honorifics ('Mzee')."""
_SIGN_OFFS = _alternation(_DATA.phrases("sign_offs"))
_SIGN_OFF = re.compile(rf"(?:^|\n)[ \t]*(?:{_SIGN_OFFS})[ \t]*(?:[,!.][ \t]*)?(?:\n[ \t]*)?$")
_SIGNATURE_DASH = _DATA.regex("signature_dash")
_QUOTE = _DATA.regex("quote_mark")
_QUOTE_DASH = _DATA.regex("quote_dash")
_SENTENCE_CUES = {
    PATIENT: _anywhere("patient_cues"),
    STAFF: _anywhere("staff_cues"),
    PUBLIC: _anywhere("public_cues"),
}
_WINDOW = 48


def _phrase(text: str) -> str:
    """A matched cue as its rule phrase (lower case, single spaces, no separators)."""
    return " ".join(text.strip(" \t,:(-–").split())


def _attached(analysis: Analysis, start: int, end: int) -> tuple[str, str] | None:
    """The role and cue of a cue touching the name (before or after it, in its sentence)."""
    s_lo, s_hi = analysis.sentence_bounds(start, end)
    before = analysis.lower[max(s_lo, start - _WINDOW) : start]
    honorific = _HONORIFIC_BEFORE.search(before)
    if honorific:  # "the family of Mrs Ode": look past the honorific
        before = before[: honorific.start()]
    best: tuple[int, str, str, int] | None = None
    if not honorific and (m := _STAFF_TITLES.search(before)):
        best = (m.start(), STAFF, _phrase(m.group()), 0)
    for strength, (role, pattern) in enumerate(_ATTACHED_BEFORE):
        m = pattern.search(before)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), role, _phrase(m.group()), strength)
    if best is not None and best[3] < _STRONG_BEFORE:
        return best[1], best[2]
    after = analysis.lower[end : min(s_hi, end + _WINDOW)]
    decided = _attached_after(after) or _home_town(analysis, end, s_hi)
    if decided is not None and (best is None or decided[0] == PATIENT):
        return decided  # an age or a bed right after the name beats "I'm" / "by" before it
    return (best[1], best[2]) if best is not None else None


def _attached_after(after: str) -> tuple[str, str] | None:
    """The role and cue of a cue starting right after the name."""
    if AGE_AFTER.match(after):
        return PATIENT, "an age"
    if BED_OR_AGE_AFTER.match(after):
        return PATIENT, "a bed number or a birthday"
    for role, pattern in _ATTACHED_AFTER:
        m = pattern.match(after)
        if m:
            return role, _phrase(m.group())
    return (STAFF, "a team after the name") if _TEAM_AFTER.match(after) else None


def _home_town(analysis: Analysis, end: int, s_hi: int) -> tuple[str, str] | None:
    """'<name> from <place>' where the place is a home town, not a workplace: a gazetteer place, or a
    capitalised word that is no dictionary word ('Otieno from Nyalenda')."""
    cue = _HOME_TOWN_AFTER.match(analysis.lower, end, s_hi)
    if cue is None:
        return None
    word = _PLACE_WORD.match(analysis.text, cue.end(), s_hi)
    if word is None or word.group().isupper():
        return None  # "Sam from ICU", "Jo from HR": a unit
    from postguard.domain.identifiers.recognizers.location import GAZETTEER  # location imports roles

    places = GAZETTEER.find(analysis.text[cue.end() : s_hi], analysis.lower[cue.end() : s_hi])
    place_end = next((cue.end() + p.end for p in places if p.start == 0), None)
    lower = word.group().lower()
    if place_end is None and word.group()[0].isupper() and lower not in english_words() | medical_words():
        place_end = word.end()
    if place_end is None or _WORKPLACE_AFTER.match(analysis.lower, place_end, s_hi):
        return None
    return PATIENT, "a home town after the name"


def _signature(analysis: Analysis, start: int, end: int) -> tuple[str, str] | None:
    """A name alone on the post's last line after a dash or a sign-off: the account's own (a quoted
    line before it makes it the quote's author)."""
    tail = analysis.text[end:]
    if tail.strip(" \t\r\n.!") and not _after_is_credentials(analysis, end):
        return None
    head = analysis.lower[max(0, start - _WINDOW) : start]
    if _QUOTE_DASH.search(head):
        return PUBLIC, "a quote's author"
    if _SIGNATURE_DASH.search(head):
        if _QUOTE.search(analysis.text, 0, start):
            return PUBLIC, "a quote's author"
        return ACCOUNT, "a signature line"
    if _SIGN_OFF.search(head):
        return ACCOUNT, "a sign-off"
    return None


def _after_is_credentials(analysis: Analysis, end: int) -> bool:
    m = _ATTACHED_AFTER[0][1].match(analysis.lower, end)
    return bool(m) and not analysis.text[m.end() :].strip(" \t\r\n.,!")


def _cue_index(analysis: Analysis, role: str) -> tuple[list[int], list[int], list[str]]:
    """Starts, ends and phrases of one role's sentence cues in the post (built once per post)."""
    cached = analysis.role_cues.get(role)
    if cached is None:
        cues = [
            (m.start(), m.end(), _phrase(m.group())) for m in _SENTENCE_CUES[role].finditer(analysis.lower)
        ]
        if role == PATIENT:
            cues.extend(_care_cues(analysis))
            cues.sort()
        cached = ([c[0] for c in cues], [c[1] for c in cues], [c[2] for c in cues])
        analysis.role_cues[role] = cached
    return cached


def _care_cues(analysis: Analysis) -> list[tuple[int, int, str]]:
    """The shared care words that are about a patient (not staff work, not a unit's acronym alone)."""
    from postguard.domain.identifiers.analysis import CARE_KEY

    out = []
    for span in analysis.spans(CARE_KEY):
        phrase = " ".join(t.lower_ for t in span)
        if phrase in _STAFF_WORK or span.text in _CARE_ACRONYMS:
            continue
        if _JOB_AFTER.match(analysis.lower, span.end_char):
            continue  # "ward manager", "theatre nurse": a job title, not a patient's care
        out.append((span.start_char, span.end_char, phrase))
    return out


def _nearest(analysis: Analysis, role: str, start: int, end: int) -> tuple[int, str] | None:
    """Distance and phrase of the nearest ``role`` cue in the sentence of ``[start, end)``."""
    starts, ends, phrases = _cue_index(analysis, role)
    if not starts:
        return None
    s_lo, s_hi = analysis.sentence_bounds(start, end)
    best: tuple[int, str] | None = None
    i = bisect.bisect_left(starts, start)
    if i > 0 and starts[i - 1] >= s_lo and ends[i - 1] <= start:  # the last cue before the name
        best = (start - ends[i - 1], phrases[i - 1])
    j = bisect.bisect_left(starts, end)
    if j < len(starts) and ends[j] <= s_hi and (best is None or starts[j] - end < best[0]):
        best = (starts[j] - end, phrases[j])
    return best


def _in_sentence(analysis: Analysis, start: int, end: int) -> tuple[str, str] | None:
    """Patient care in the sentence wins; else the nearest credit or news cue."""
    care = _nearest(analysis, PATIENT, start, end)
    staff = _nearest(analysis, STAFF, start, end)
    if care is not None and staff is not None and _did_the_work(analysis, start, end):
        return STAFF, staff[1]  # "thanks to Priya for helping with the admission": she did the care
    if care is not None and staff is not None and _only_places(analysis, start, end):
        return STAFF, staff[1]  # "shoutout to Priya for an amazing shift on the ward": a workplace
    if care is not None:
        return PATIENT, care[1]
    if any(f.confidence >= 0.7 for f in analysis.findings_in_sentence(("AGE",), start, end)):
        return PATIENT, "an age"
    public = _nearest(analysis, PUBLIC, start, end)
    if staff is not None and (public is None or staff[0] <= public[0]):
        return STAFF, staff[1]
    if public is not None:
        return PUBLIC, public[1]
    return None


def _did_the_work(analysis: Analysis, start: int, end: int) -> bool:
    """Does a work verb follow the name before the first patient-care cue after it in its sentence
    ("for helping with the admission", "for covering my bay")? Then the name did the care work."""
    starts, _, _ = _cue_index(analysis, PATIENT)
    s_hi = analysis.sentence_bounds(start, end)[1]
    i = bisect.bisect_left(starts, end)
    stop = min(starts[i], s_hi) if i < len(starts) else s_hi
    return bool(_WORK_VERB.search(analysis.lower, end, stop))


def _only_places(analysis: Analysis, start: int, end: int) -> bool:
    """Are the patient-care cues of the sentence of ``[start, end)`` all places staff work in too
    ("the ward", "ICU")? Answered once per sentence (a post of many names stays linear)."""
    s_lo, s_hi = analysis.sentence_bounds(start, end)
    key = f"places {s_lo}"
    cached = analysis.role_cues.get(key)
    if cached is None:
        starts, _, phrases = _cue_index(analysis, PATIENT)
        j = bisect.bisect_left(starts, s_lo)
        only = True
        while only and j < len(starts) and starts[j] < s_hi:
            only, j = phrases[j] in _PLACE_CUES, j + 1
        cached = analysis.role_cues[key] = ([int(only)], [], [])
    return bool(cached[0][0])


def role_of(analysis: Analysis, start: int, end: int, *, handle: bool = False) -> tuple[str, str]:
    """The role of the name at ``[start, end)`` and the cue (rule words) that decided it."""
    start, end = _past_own_title(analysis, start, end)
    decided = _attached(analysis, start, end) or _signature(analysis, start, end)
    decided = decided or _in_sentence(analysis, start, end)
    if decided is not None:
        return decided
    return (PUBLIC, "a handle with no patient cue") if handle else (UNKNOWN, "no cue")


def _past_own_title(analysis: Analysis, start: int, end: int) -> tuple[int, int]:
    """A model span that starts with its own title ("Dr. Patel"): read the title as a cue before it."""
    head = analysis.lower[start:end].split(maxsplit=1)
    if len(head) == 2 and any(p.search(head[0] + " ") for p in (_STAFF_TITLE, _PUBLIC_TITLE)):
        return start + analysis.lower[start:end].index(head[1]), end
    return start, end


def care_in_sentence(analysis: Analysis, start: int, end: int) -> bool:
    """Is there a patient-care cue (a patient word, a care word that is not staff work) in the sentence
    of ``[start, end)``, outside the span itself?"""
    starts, ends, _ = _cue_index(analysis, PATIENT)
    s_lo, s_hi = analysis.sentence_bounds(start, end)
    j = bisect.bisect_left(starts, s_lo)
    while j < len(starts) and starts[j] < s_hi:  # cues inside the span are rare: a short walk
        if ends[j] <= s_hi and (ends[j] <= start or starts[j] >= end):
            return True
        j += 1
    return False


def post_has_care(analysis: Analysis) -> bool:
    """Does the post hold a patient-care signal anywhere: a patient cue or care word (not staff work), a
    clinical detail in the text (an age, a bed number) or a clinical finding already made (an age, a
    bed, a record number, a patient's or relative's name)?"""
    cached = analysis.role_cues.get(_NO_CARE_CUE)  # ([findings count], [answer], []): findings only grow
    if cached is not None and cached[0][0] == len(analysis.findings):
        return bool(cached[1][0])
    found = bool(_cue_index(analysis, PATIENT)[0]) and not workplace_only(analysis)
    found = found or bool(_CLINICAL_DETAIL.search(analysis.lower))
    found = found or bool(_STORY.search(analysis.lower))
    job = workplace_only(analysis)
    found = found or any(_clinical(f) and not (job and _workplace_space(f)) for f in analysis.findings)
    analysis.role_cues[_NO_CARE_CUE] = ([len(analysis.findings)], [int(found)], [])
    return found


_WORKPLACE = frozenset(_DATA.phrases("workplace_words"))
_WORKPLACE_ONLY = "workplace only"


def workplace_only(analysis: Analysis) -> bool:
    """Is the post about the job, not a patient: every care word in it a workplace word ('ward', 'night
    shift', 'A&E'), and no patient word, story word or clinical detail (an age, a bed number) in the
    text? Decided from the text alone, so it is the same whichever recognizer asks first."""
    cached = analysis.role_cues.get(_WORKPLACE_ONLY)
    if cached is not None:
        return bool(cached[0][0])
    from postguard.domain.identifiers.analysis import CARE_KEY

    care = [" ".join(t.lower_ for t in span) for span in analysis.spans(CARE_KEY)]
    only = bool(care) and all(phrase in _WORKPLACE or phrase in _STAFF_WORK for phrase in care)
    if only:
        patient_cues = (m.group() for m in _SENTENCE_CUES[PATIENT].finditer(analysis.lower))
        only = all(_phrase(c) in _PLACE_CUES for c in patient_cues)
    only = only and not _CLINICAL_DETAIL.search(analysis.lower) and not _STORY.search(analysis.lower)
    analysis.role_cues[_WORKPLACE_ONLY] = ([int(only)], [], [])
    return only


def _workplace_space(finding: Finding) -> bool:
    """A ward or a unit (not a bed or a room): where staff work as much as where a patient lies."""
    return finding.label == IdentifierLabel.FACILITY and finding.attribute("kind") in ("ward", "unit")


def _clinical(finding: Finding) -> bool:
    """Is ``finding`` a patient-care detail (not a colleague's name, not a named hospital)?"""
    if finding.confidence < 0.5:
        return False
    if finding.label == IdentifierLabel.PERSON:
        return finding.attribute("role") in (PATIENT, RELATIVE)
    if finding.label == IdentifierLabel.FACILITY:
        return finding.attribute("kind") in _CARE_KINDS
    return finding.label in _CARE_LABELS


def with_role(finding: Finding, analysis: Analysis, hint: str = "") -> Finding:
    """``finding`` (a PERSON) with its ``role`` attribute and the cue in its reason. ``hint``:
    "honorific" when the name follows a lay honorific ("Mr. Lopez": a sentence credit alone does not
    make it a colleague's), "handle" for an @handle, "care" when the rule found the name before a care
    verb or phrase ("Jaxon was rushed to theatre": a patient's unless another cue says otherwise), "in
    bed" before a bed or a cot (the same), "pet name" after a fond word ("old Stanley": kept
    patient-side without care, as a lay honorific)."""
    if finding.label != IdentifierLabel.PERSON or finding.attribute("role"):
        return finding
    role, cue = role_of(analysis, finding.start, finding.end, handle=hint == "handle")
    if hint == "care" and role == UNKNOWN:  # the rule found the name before a care verb: its cue
        role, cue = PATIENT, "a care verb after the name"
    if hint == "in bed" and role == UNKNOWN:  # "Dot from bed 9", "Ayla in the cot": a patient's place
        role, cue = PATIENT, "a bed or cot after the name"
    confidence = finding.confidence
    honorific = hint == "honorific" or _HONORIFIC_BEFORE.search(analysis.before(finding.start, 8))
    fond = hint == "pet name"  # "little maya", "old Stanley": how staff write of a patient, care or not
    if honorific and role == STAFF and cue in _STAFF_CUES:
        # "thanks to Mr. Lopez for sharing his story": credited, yet perhaps a patient (kept, not sure)
        role, cue, confidence = UNKNOWN, "an honorific in a credit", min(confidence, _UNSURE)
    attributes = tuple(sorted({*finding.attributes, ("role", role)}))
    reason = f"{_REASONS[role]} (name near '{cue}')" if cue != "no cue" else finding.reason or _REASONS[role]
    if cue == "no cue" and not honorific and not fond and not post_has_care(analysis):
        # a lay honorific is how staff write a patient's name ("Mrs Lane"): it stays a patient-side name
        confidence, reason = min(confidence, _NO_CARE), _NO_CARE_REASON
    return replace(finding, attributes=attributes, reason=reason, confidence=confidence)


_UNIT_AFTER = _DATA.regex("unit_after")


def drop_unit_names(findings: list[Finding], text: str) -> list[Finding]:
    """Without the PERSON findings that are one capitalised dictionary word (SCOWL or MedQuAD, not a
    listed given name) before an organisational unit's noun: "our Patient Advice team", "Patient
    Experience team" name a department. A listed given name stays ("Grace team lead" is rare, "Priya's
    team" is a person)."""
    given = _given_lists()
    out = []
    for f in findings:
        word = text[f.start : f.end] if f.label == IdentifierLabel.PERSON and f.in_text else ""
        lower = word.lower()
        if (
            word.isalpha()
            and word[:1].isupper()
            and (lower in english_words() or lower in medical_words())
            and lower not in given
            and _UNIT_AFTER.match(text, f.end)
        ):
            continue
        out.append(f)
    return out


@cache
def _given_lists() -> frozenset[str]:
    names = rule_file("first_names.yaml")
    return names.words("first_names") | names.words("word_names")


_LIST_GAP = re.compile(r"[ \t]*(?:,[ \t]*(?:and[ \t]+|&[ \t]*)?|and[ \t]+|&[ \t]*)")
"""What joins two names of one list: a comma, "and", "&" (full match of the text between them)."""
_LISTED_REASON = "listed with another name of that role"


def share_list_roles(findings: list[Finding], text: str) -> list[Finding]:
    """Names of one list ("Ahmed, Beth and Connor from pharmacy", "Priya and Josh ran the sim"): the cue
    touching one end of the list is about every name in it, so an ``unknown`` name listed with a
    colleague's, a public figure's or the account's takes that role, unless a name of the list is a
    patient's or a relative's, or the unknown name follows a lay honorific ("Mrs Lane and Dr Patel"
    stays a patient and a doctor). A job word before the list ("our porters: Dougie, Emeka and Reuben")
    makes every name in it a colleague's, whatever a care word in the sentence says. Other findings are
    returned as they are; text order is kept."""
    people = [i for i, f in enumerate(findings) if f.label == IdentifierLabel.PERSON and f.in_text]
    groups: list[list[int]] = []
    for i in people:
        prev = groups[-1][-1] if groups else None
        if prev is not None and _LIST_GAP.fullmatch(text, findings[prev].end, findings[i].start):
            groups[-1].append(i)
        else:
            groups.append([i])
    out = list(findings)
    for group in groups:
        first = findings[group[0]]
        if len(group) > 1 and _STAFF_TITLES.search(text[max(0, first.start - _WINDOW) : first.start].lower()):
            # "our porters: Dougie, Emeka and Reuben": the job word before the list names them all
            for i in group[1:]:
                f = findings[i]
                attributes = tuple(sorted({*(a for a in f.attributes if a[0] != "role"), ("role", STAFF)}))
                out[i] = replace(f, attributes=attributes, reason=f"{_REASONS[STAFF]} ({_LISTED_REASON})")
            continue
        roles = [findings[i].attribute("role") for i in group]
        shared = next((r for r in roles if r in NOT_PATIENT_ROLES), None)
        if shared is None or PATIENT in roles or RELATIVE in roles:
            continue
        for i in group:
            f = findings[i]
            if f.attribute("role") == UNKNOWN and not _HONORIFIC_BEFORE.search(
                text[max(0, f.start - 8) : f.start].lower()
            ):
                attributes = tuple(sorted({*(a for a in f.attributes if a[0] != "role"), ("role", shared)}))
                out[i] = replace(f, attributes=attributes, reason=f"{_REASONS[shared]} ({_LISTED_REASON})")
    return out


def patient_side(finding: Finding) -> bool:
    """Is ``finding`` a patient detail: not a PERSON, or a name whose role is not staff/public/account?"""
    return finding.label != IdentifierLabel.PERSON or finding.attribute("role") not in NOT_PATIENT_ROLES


_SAME_NAME_REASON = "the same name is a patient's or a relative's elsewhere in the post"
_SAME_NAME_OTHER = "the same name has that role elsewhere in the post"
_PATIENT_SIDE_ROLES = frozenset({PATIENT, RELATIVE})


def share_name_roles(findings: list[Finding], text: str) -> list[Finding]:
    """A name repeated in a post is one person: a mention that is a patient's or a relative's ("my
    patient Dolores ... Dolores honey, thank you") makes every other mention of the same name, or of
    one word of it ("Carmen Ruiz ... Carmen"), patient-side too, whatever its own sentence credits. A
    mention after its own staff or public title ("Dr Patel" beside "Mrs Patel") keeps its role: a
    title tells two people of one surname apart. A mention with no cue at all (``unknown``) of a name
    that is only a colleague's, public figure's or the account's elsewhere ("Dr Colm O'Reilly … Colm
    was a gentle man") takes that role."""
    people = [f for f in findings if f.label == IdentifierLabel.PERSON and f.in_text]
    sided: dict[str, Finding] = {}
    others: dict[str, Finding] = {}
    for f in people:
        role = f.attribute("role")
        into = sided if role in _PATIENT_SIDE_ROLES else others if role in NOT_PATIENT_ROLES else None
        if into is not None:
            words = text[f.start : f.end].lower().split()
            for key in (" ".join(words), *words):
                into.setdefault(key, f)
    if not sided and not others:
        return findings
    out = []
    for f in findings:
        if f.label != IdentifierLabel.PERSON or not f.in_text or f.attribute("role") in _PATIENT_SIDE_ROLES:
            out.append(f)
            continue
        key = " ".join(text[f.start : f.end].lower().split())
        source = sided.get(key)
        if source is None and f.attribute("role") == UNKNOWN and key not in sided:
            source = others.get(key)  # "Dr Colm O'Reilly ... Colm was a gentle man": the colleague again
        if source is None or f.attribute("form") == "handle" or _titled(text, f.start):
            out.append(f)
            continue
        role = source.attribute("role")
        attributes = tuple(sorted({*(a for a in f.attributes if a[0] != "role"), ("role", role)}))
        patient_side = role in _PATIENT_SIDE_ROLES
        confidence = max(f.confidence, min(source.confidence, 0.85)) if patient_side else f.confidence
        reason = f"{_REASONS[role]} ({_SAME_NAME_REASON if patient_side else _SAME_NAME_OTHER})"
        out.append(replace(f, attributes=attributes, confidence=confidence, reason=reason))
    return out


def _titled(text: str, start: int) -> bool:
    """Is the name at ``start`` right after a staff or public title ("Dr", "Minister")?"""
    before = text[max(0, start - _WINDOW) : start].lower()
    return bool(_STAFF_TITLE.search(before) or _PUBLIC_TITLE.search(before))
