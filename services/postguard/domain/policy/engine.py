"""The policy engine: findings + policy -> verdict, reasons, fixes and redacted text.

Fails closed: a stage that failed or did not report makes the post at least REVIEW. Reasons never quote
post text (they reach audit logs); they name labels and counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from postguard.domain.policy.consent import post_date
from postguard.domain.policy.registry import KIND_ATTRIBUTE, Action, Policy, Rule
from postguard.domain.reidentification import ReidentificationRisk, reidentification_risk
from postguard.domain.review.deadlines import HELD_VERDICTS, format_rfc3339, review_deadline
from postguard.domain.types import (
    Category,
    Decision,
    Finding,
    IdentifierLabel,
    Post,
    StageName,
    StageResult,
    Verdict,
)

_L = IdentifierLabel
LABEL_TEXTS: dict[str, tuple[str, str]] = {
    # label: (what the finding means to a clinician, the suggested fix)
    _L.PERSON: (
        "names a patient",
        "Remove the name, or post only an approved story with signed media consent.",
    ),
    _L.DATE: (
        "gives a date tied to patient care",
        "Remove the date; even 'yesterday' can identify a patient.",
    ),
    _L.AGE: ("gives a patient's age", "Remove the age or keep it vague."),
    _L.LOCATION: ("names a place smaller than a state", "Remove the town, street, school or neighbourhood."),
    _L.FACILITY: ("names a hospital, clinic or unit", "Remove the facility or unit name."),
    _L.PHONE: ("contains a phone number", "Remove it; contacts go through official channels."),
    _L.FAX: ("contains a fax number", "Remove it; contacts go through official channels."),
    _L.EMAIL: ("contains an email address", "Remove it; contacts go through official channels."),
    _L.URL: ("links to a page that may identify someone", "Remove the link or link to a public source."),
    _L.IP_ADDRESS: ("contains an IP address", "Remove it."),
    _L.SSN: ("contains a Social Security number", "Delete it; never share identity numbers online."),
    _L.MEDICAL_RECORD_NUMBER: (
        "contains a medical record number",
        "Delete it; use the EHR, not social media.",
    ),
    _L.HEALTH_PLAN_NUMBER: (
        "contains a health plan / insurance number",
        "Delete it; use the EHR, not social media.",
    ),
    _L.ACCOUNT_NUMBER: ("contains an account number", "Delete it; use the billing system, not social media."),
    _L.LICENSE_NUMBER: ("contains a licence or certificate number", "Delete it."),
    _L.VEHICLE_ID: ("contains a vehicle identifier or plate", "Delete it."),
    _L.DEVICE_ID: ("contains a device identifier or serial number", "Delete it."),
    _L.QUASI_IDENTIFIER: (
        "describes circumstances unique enough to identify a patient",
        "Generalise the story: drop rare details, places and times.",
    ),
    _L.FACE: (
        "shows a person's face",
        "Crop or blur the face, or attach the person's written media consent.",
    ),
    _L.RECORD_IMAGE: (
        "shows a record or screen full of a patient's details",
        "Do not post pictures of records or screens.",
    ),
    "PERSONAL_ADVICE": (
        "gives personal medical advice to an individual",
        "Keep to general information and redirect the person to their own clinician or the official channel.",
    ),
    "PATIENT_SOLICITATION": (
        "invites people to send symptoms, photos or records privately",
        "Point people to the official appointment line or patient portal instead.",
    ),
    "UNSUPPORTED_CLAIM": (
        "makes a medical claim without evidence",
        "Cite a reliable peer-reviewed source, or drop absolute words such as 'cures' or '100%'.",
    ),
    "UNPROFESSIONAL": (
        "uses disparaging or unprofessional language",
        "Rewrite respectfully; do not disparage patients, colleagues or groups of people.",
    ),
    "UNDISCLOSED_PROMOTION": (
        "promotes a product or service without disclosing the relationship",
        "Disclose sponsorships, affiliate codes and conflicts of interest (e.g. '#ad', 'paid partnership').",
    ),
    "MISSING_DISCLAIMER": (
        "gives health information without saying it is not medical advice",
        "Add a line such as: 'General information, not medical advice - talk to your own clinician.'",
    ),
    "CARE_CONFIRMATION": (
        "confirms or implies that an identifiable person was a patient here",
        "Thank people without confirming they were cared for here, and move the conversation to a private "
        "channel.",
    ),
    "POLITICS_OR_RANT": (
        "reads as partisan politics or a personal rant",
        "Keep institutional accounts to health information; post personal views from a personal account.",
    ),
}
KIND_TEXTS: dict[tuple[str, str], tuple[str, str]] = {
    # (label, kind attribute): texts that replace the label's when the finding is of that kind
    (_L.FACILITY, "bed"): (
        "gives a bed, cot or cubicle that places a patient",
        "Remove the bed number and its unit.",
    ),
    (_L.FACILITY, "room"): ("gives a room or bay that places a patient", "Remove the room or bay number."),
    (_L.FACILITY, "ward"): ("names the ward a patient is on", "Remove the ward name or number."),
    (_L.FACILITY, "unit"): ("names the unit or floor a patient is on", "Remove the unit or floor."),
    (_L.URL, "person"): (
        "links to a person's page (a profile, fundraiser, obituary or personal page)",
        "Remove the link, or post only an approved story with signed media consent.",
    ),
    (_L.URL, "record"): (
        "links to a shared file or a record",
        "Remove the link; records and scans stay in the EHR.",
    ),
    (_L.URL, "shortened"): (
        "has a shortened link whose destination cannot be checked",
        "Use the full link so its destination can be checked.",
    ),
}
_CONSEQUENCE = {
    Action.REDACT: "change needed",
    Action.REVIEW: "needs a reviewer",
    Action.BLOCK: "cannot be posted",
}
_NUMBER = re.compile(r"\d{1,3}")
_NAME_PART = re.compile(r"[^\W\d_]{3,}")


def _deadline(post: Post, verdict: Verdict, policy: Policy, decided: datetime) -> str:
    """By when a reviewer must decide a held post (RFC 3339); empty for a verdict that is not held."""
    if verdict not in HELD_VERDICTS:
        return ""
    return format_rfc3339(review_deadline(post.scheduled_publish_at, decided, policy.review))


def _stricter(a: Action, b: Action) -> Action:
    return a if a.severity >= b.severity else b


@dataclass(slots=True)
class _Hit:
    """A finding the policy acts on, with the action it drew and why."""

    finding: Finding
    action: Action
    rule: Rule
    over_age: bool = False
    relaxed: bool = False
    stripped: bool = False
    """In an attached image's own metadata: the redacted copy drops it (not counted for re-identification)."""


def _age_value(finding: Finding, text: str) -> float | None:
    """The age in years: the finding's ``years`` attribute (set by the age recognizer, any wording),
    else the first number in its text."""
    years = finding.attribute("years")
    if years:
        try:
            return float(years)
        except ValueError:
            pass
    match = _NUMBER.search(text)
    return int(match.group()) if match else None


def _url_allowed(span: str, domains: Sequence[str]) -> bool:
    """Is the link on one of the policy's own domains? An entry matches its host and subdomains; an
    entry with a path ("facebook.com/demohospital") also needs the link's path to start with it."""
    candidate = span if "://" in span else f"http://{span}"
    try:
        parts = urlsplit(candidate)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    path = parts.path.lower().rstrip("/") + "/"
    for entry in domains:
        domain, slash, prefix = entry.partition("/")
        if not (host == domain or host.endswith("." + domain)):
            continue
        if not slash or path.startswith(f"/{prefix.rstrip('/')}/"):
            return True
    return False


def redact(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """Replace ``(start, end, label)`` spans by ``[LABEL]``; overlapping spans merge (longest label wins)."""
    valid = sorted((s, e, label) for s, e, label in spans if 0 <= s < e <= len(text))
    merged: list[list] = []  # [start, end, label, longest_len]
    for start, end, label in valid:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            if end - start > last[3]:
                last[2], last[3] = label, end - start
            last[1] = max(last[1], end)
        else:
            merged.append([start, end, label, end - start])
    out, cursor = [], 0
    for start, end, label, _ in merged:
        out.append(text[cursor:start])
        out.append(f"[{label}]")
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


TOO_COMPLEX_ERROR = "too complex"
"""How a stage's ``error`` starts when it refused a post as beyond its work budget."""


def _incomplete_reason(stage: str, result: StageResult | None) -> str:
    if result is None:
        return f"screening incomplete: {stage} did not report"
    if result.error.startswith(TOO_COMPLEX_ERROR):
        return f"screening incomplete: too complex ({stage})"
    return f"screening incomplete: {stage} failed"


class PolicyEngine:
    """Applies a policy. Fails closed: a missing or failed stage yields REVIEW, never ALLOW."""

    def decide(
        self,
        post: Post,
        results: Sequence[StageResult],
        policy: Policy,
        expected_stages: Sequence[str] = tuple(StageName),
    ) -> Decision:
        """Decide one post from its stage results under ``policy``."""
        reported = _results_by_stage(post, results)
        incomplete = tuple(str(s) for s in expected_stages if s not in reported or not reported[s].ok)
        findings = _names_in_links(post, [f for r in reported.values() if r.ok for f in r.findings], policy)

        refusal = policy.consent_refusal(post.consent_reference, post_date(post.created_at))
        consented = bool(post.consent_reference.strip()) and refusal is None
        hits = [hit for f in findings if (hit := self._judge(post, f, policy, consented)) is not None]
        verdicts: list[Verdict] = []
        reasons: list[tuple[float, str]] = []
        if incomplete:
            verdicts.append(Verdict.REVIEW)
            reasons.extend((9, _incomplete_reason(stage, reported.get(stage))) for stage in incomplete)
        if refusal is not None:
            reasons.append((0.1, f"consent: the post's consent reference was not applied - {refusal}"))

        shown: dict[int, _Hit] = {}
        for category in (Category.IDENTIFIER, Category.CONTENT):
            for label in sorted({h.finding.label for h in hits if h.finding.category == category}):
                group = [h for h in hits if h.finding.category == category and h.finding.label == label]
                self._label_reasons(label, group, verdicts, reasons, shown)
        self._escalations(post, hits, policy, verdicts, reasons, shown)
        risk = self._risk(hits, policy, verdicts, reasons)

        verdict = Verdict.most_severe(verdicts)
        shown_findings = tuple(sorted((self._explained(h) for h in shown.values()), key=_finding_order))
        redactions = _redactions(hits)
        decided = datetime.now(UTC)
        return Decision(
            post_id=post.post_id,
            institution_id=post.institution_id,
            author_id=post.author_id,
            verdict=verdict,
            findings=shown_findings,
            reasons=tuple(text for _, text in sorted(reasons, key=lambda r: -r[0])),
            # Partial findings: no text derived from them is safe to publish (fail closed, nothing shown).
            redacted_text="" if incomplete else redact(post.text, redactions),
            policy_id=policy.policy_id,
            policy_version=policy.version,
            text_sha256=post.text_sha256,
            incomplete_stages=incomplete,
            decided_at=decided.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            review_deadline=_deadline(post, verdict, policy, decided),
            reidentification_risk=risk.score,
            risk_details=risk.details,
            redacted_attachments=() if incomplete else _redacted_copies(reported.values(), hits),
        )

    # -- steps ---------------------------------------------------------------------------------------

    @staticmethod
    def _judge(post: Post, finding: Finding, policy: Policy, consented: bool) -> _Hit | None:
        """The action the policy takes on one finding, or None when it does not count at all."""
        try:
            rule = policy.rule_for_finding(finding)
        except ValueError:  # an unknown category: hold it (fail closed) rather than drop it
            rule = Rule(policy.default_action, policy.min_confidence)
        if finding.confidence < rule.min_confidence:
            return None
        source = (
            post.text if finding.in_text else attachment_field(post, finding.attachment_id, finding.field)
        )
        span = source[finding.start : finding.end] if 0 <= finding.start < finding.end else ""
        if finding.category == Category.IDENTIFIER:
            if finding.label == _L.URL and span and _url_allowed(span, policy.allowed_url_domains):
                return None
            if span and span.strip().lower() in policy.public_contacts:
                return None
        if consented and finding.label in policy.consent_allows:
            return None
        hit = _Hit(finding, rule.action, rule)
        if finding.category == Category.IDENTIFIER and in_image_metadata(post, finding):
            hit.action, hit.stripped = policy.image_metadata_action, True
            return hit
        if consented and finding.label in policy.consent_relaxes:
            hit.relaxed = True
            if hit.action.severity > policy.consent_to.severity:
                hit.action = policy.consent_to
        if (
            finding.label == _L.AGE
            and (age := _age_value(finding, span)) is not None
            and age > policy.age_over
        ):
            hit.over_age = True
            hit.action = _stricter(hit.action, policy.age_over_action)
        return hit

    @staticmethod
    def _label_reasons(
        label: str,
        group: list[_Hit],
        verdicts: list[Verdict],
        reasons: list[tuple[float, str]],
        shown: dict[int, _Hit],
    ) -> None:
        for action in (Action.BLOCK, Action.REVIEW, Action.REDACT):
            acted = [h for h in group if h.action is action]
            if not acted:
                continue
            description = acted[0].rule.reason or _texts(acted[0].finding)[0]
            verdicts.append(action.verdict)
            for h in acted:
                shown[id(h)] = h
            ordinary = [h for h in acted if not h.over_age]
            if ordinary:
                count = f" ({len(ordinary)}x)" if len(ordinary) > 1 else ""
                note = (
                    " (relaxed by the post's consent reference)" if any(h.relaxed for h in ordinary) else ""
                )
                on_attachment = [not h.finding.in_text for h in ordinary]
                place = " in an attachment" if all(on_attachment) else ""
                place = place or (" (also in an attachment)" if any(on_attachment) else "")
                where = ""
                if action is Action.REDACT and _is_identifier(group):
                    where = f", replace it by [{label}]" if not all(on_attachment) else ""
                    where += _attachment_fix([h for h in ordinary if not h.finding.in_text])
                reasons.append(
                    (
                        action.severity,
                        f"{label}: post {description}{place}{count}{note} - {_CONSEQUENCE[action]}{where}",
                    )
                )
            if any(h.over_age for h in acted):
                reasons.append(
                    (
                        action.severity,
                        f"AGE: post gives an age over 89, which identifies a patient under HIPAA "
                        f"- {_CONSEQUENCE[action]}",
                    )
                )

    @staticmethod
    def _escalations(
        post: Post,
        hits: list[_Hit],
        policy: Policy,
        verdicts: list[Verdict],
        reasons: list[tuple[float, str]],
        shown: dict[int, _Hit],
    ) -> None:
        counted = [
            h
            for h in hits
            if h.finding.category == Category.IDENTIFIER and not (h.relaxed or h.stripped) and h.rule.counts
        ]
        kinds = sorted({h.finding.label for h in counted})
        named_action: Action | None = None
        esc = policy.person_with_other_identifier
        persons = [h for h in counted if h.finding.label == _L.PERSON and h.action is not Action.IGNORE]
        others = [h for h in counted if h.finding.label != _L.PERSON]
        if esc is not None and esc.action is not Action.IGNORE and persons and others:
            named_action = esc.action
            verdicts.append(esc.action.verdict)
            other_kinds = ", ".join(sorted({h.finding.label for h in others}))
            reasons.append(
                (
                    esc.action.severity + 0.5,
                    f"re-identification: a named patient together with {other_kinds} identifies them "
                    f"- {_CONSEQUENCE.get(esc.action, 'noted')}",
                )
            )
            shown.update({id(h): h for h in persons + others})
        esc = policy.distinct_identifiers
        if esc is not None and esc.action is not Action.IGNORE and len(kinds) >= esc.at_least:
            verdicts.append(esc.action.verdict)
            shown.update({id(h): h for h in counted})
            if named_action is not None and named_action.severity >= esc.action.severity:
                return  # the named-patient reason already says it, more strictly
            reasons.append(
                (
                    esc.action.severity + 0.5,
                    f"re-identification risk: {len(kinds)} kinds of patient detail together "
                    f"({', '.join(kinds)}) can point to one person - {_CONSEQUENCE.get(esc.action, 'noted')}",
                )
            )

    @staticmethod
    def _risk(
        hits: list[_Hit], policy: Policy, verdicts: list[Verdict], reasons: list[tuple[float, str]]
    ) -> ReidentificationRisk:
        """The post's re-identification risk from the details that count, and its escalation."""
        risk = reidentification_risk(
            h.finding
            for h in hits
            if h.finding.category == Category.IDENTIFIER and h.rule.counts and not h.stripped
        )
        esc = policy.reidentification_risk
        if esc is not None and esc.action is not Action.IGNORE and risk.score >= esc.at_least:
            if Verdict.most_severe(verdicts).severity >= esc.action.verdict.severity:
                return risk  # already held as strictly: the details are in the decision's risk_details
            verdicts.append(esc.action.verdict)
            drivers = ", ".join(d.rsplit(" (", 1)[0] for d in risk.details[:3])
            reasons.append(
                (
                    esc.action.severity + 0.4,
                    f"re-identification risk {risk.score:.2f} (at least {esc.at_least:.2f}): {drivers} "
                    f"- {_CONSEQUENCE.get(esc.action, 'noted')}",
                )
            )
        return risk

    @staticmethod
    def _explained(hit: _Hit) -> Finding:
        """The finding with a reason and a suggested fix filled in from the policy where missing."""
        description, fix = _texts(hit.finding)
        return replace(
            hit.finding,
            reason=hit.finding.reason or hit.rule.reason or f"The post {description}.",
            suggestion=hit.finding.suggestion or hit.rule.fix or fix,
        )


def _names_in_links(post: Post, findings: list[Finding], policy: Policy) -> list[Finding]:
    """Links whose address carries a name the post gives for a patient or relative (a PERSON finding the
    policy acts on: ".../news/ava-kowalczyk-home" beside "Ava Kowalczyk") point at that person: their
    link_kind becomes ``person``, whatever the site, so the link is held and redacted with the name."""
    names = {
        part
        for f in findings
        if f.label == _L.PERSON and f.in_text and policy.rule_for_finding(f).action is not Action.IGNORE
        for part in _NAME_PART.findall(post.text[f.start : f.end].lower())
    }
    if not names:
        return findings
    out = []
    for f in findings:
        linked = f.label == _L.URL and f.in_text and f.attribute("link_kind") not in ("person", "record")
        if linked and names & set(_NAME_PART.findall(post.text[f.start : f.end].lower())):
            kinds = tuple(sorted({**dict(f.attributes), "link_kind": "person"}.items()))
            f = replace(f, confidence=max(f.confidence, 0.9), attributes=kinds)
        out.append(f)
    return out


def _texts(finding: Finding) -> tuple[str, str]:
    """What the finding means to a clinician and its fix: its kind's texts, else its label's."""
    attribute = KIND_ATTRIBUTE.get(finding.label)
    kind = finding.attribute(attribute) if attribute else ""
    texts = KIND_TEXTS.get((finding.label, kind)) if kind else None
    return texts or LABEL_TEXTS.get(finding.label, (f"has a {finding.label} finding", ""))


_ATTACHMENT_FIX = ", strip the attachment's metadata or edit its alt text"
_IMAGE_FIX = ", post the redacted copy of the image (redacted_attachments) instead"
_PICTURE_FIELDS = ("ocr", "pixels")


def _attachment_fix(hits: Sequence[_Hit]) -> str:
    """How to fix identifiers on attachments: the redacted image copy when every one is in the picture
    (read text or pixels) or its metadata bytes, else strip metadata / edit the alt text."""
    if not hits:
        return ""
    if all(h.stripped or h.finding.field.split(":", 1)[0] in _PICTURE_FIELDS for h in hits):
        return _IMAGE_FIX
    return _ATTACHMENT_FIX


def _redacted_copies(results: Iterable[StageResult], hits: Sequence[_Hit]) -> tuple[tuple[str, str], ...]:
    """The image stage's redacted copies of the attachments the policy acts on (none for an image whose
    findings it ignores); only from a complete screening, like the redacted text."""
    acted = {
        h.finding.attachment_id for h in hits if h.action is not Action.IGNORE and h.finding.attachment_id
    }
    return tuple(sorted(pair for r in results if r.ok for pair in r.redacted_attachments if pair[0] in acted))


def in_image_metadata(post: Post, finding: Finding) -> bool:
    """Whether ``finding`` is on metadata the image stage read from an attachment's bytes (not on a tag
    the platform sent in ``Attachment.metadata``): the redacted copy of that image carries none."""
    if not finding.field.startswith("metadata:"):
        return False
    tag = finding.field.removeprefix("metadata:")
    for index, attachment in enumerate(post.attachments):
        if (attachment.attachment_id or f"attachment[{index}]") == finding.attachment_id:
            return attachment.has_content and tag not in attachment.metadata
    return False


def attachment_field(post: Post, attachment_id: str, field: str) -> str:
    """The value an attachment finding's span indexes ("alt_text" or "metadata:<tag>"); "" if unknown."""
    for index, attachment in enumerate(post.attachments):
        if (attachment.attachment_id or f"attachment[{index}]") != attachment_id:
            continue
        if field == "alt_text":
            return attachment.alt_text
        if field.startswith("metadata:"):
            return attachment.metadata.get(field.removeprefix("metadata:"), "")
    return ""


def _finding_order(finding: Finding) -> tuple:
    """Post-text findings in text order first, then attachment findings by attachment, field, span."""
    return (
        not finding.in_text,
        finding.attachment_id,
        finding.field,
        finding.start,
        finding.end,
        finding.label,
    )


def _redactions(hits: list[_Hit]) -> list[tuple[int, int, str]]:
    """The post-text spans to replace: identifiers the policy acts on. Attachment findings index alt
    text or metadata, not post.text: their fix is in the suggestion."""
    return [
        (h.finding.start, h.finding.end, h.finding.label)
        for h in hits
        if h.finding.category == Category.IDENTIFIER and h.action is not Action.IGNORE and h.finding.in_text
    ]


def _is_identifier(group: list[_Hit]) -> bool:
    return group[0].finding.category == Category.IDENTIFIER


def _results_by_stage(post: Post, results: Sequence[StageResult]) -> dict[str, StageResult]:
    """This post's result per stage; a failed one wins over an ok one (fail closed)."""
    reported: dict[str, StageResult] = {}
    for result in results:
        if result.post_id and result.post_id != post.post_id:
            continue  # another post's result is no evidence about this one
        previous = reported.get(str(result.stage))
        if previous is None or (previous.ok and not result.ok):
            reported[str(result.stage)] = result
    return reported
