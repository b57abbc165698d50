"""What each identifier label means to a clinician and how to fix it (never quoting the match)."""

from __future__ import annotations

from postguard.domain.types import IdentifierLabel

_SAFE_HARBOR = "(HIPAA Safe Harbor)"

REASONS: dict[str, str] = {
    IdentifierLabel.PERSON: f"A name in a case post can identify the patient or their family {_SAFE_HARBOR}",
    IdentifierLabel.DATE: f"A date tied to patient care can identify the patient {_SAFE_HARBOR}",
    IdentifierLabel.AGE: "A patient's age narrows down who they are, especially combined with other details",
    IdentifierLabel.LOCATION: f"A place smaller than a state can identify the patient {_SAFE_HARBOR}",
    IdentifierLabel.FACILITY: "Naming the hospital, unit, room or bed narrows down who the patient is",
    IdentifierLabel.PHONE: f"A phone number identifies a person {_SAFE_HARBOR}",
    IdentifierLabel.FAX: f"A fax number identifies a person or practice {_SAFE_HARBOR}",
    IdentifierLabel.EMAIL: f"An email address identifies a person {_SAFE_HARBOR}",
    IdentifierLabel.URL: f"A web address can point to a person or their records {_SAFE_HARBOR}",
    IdentifierLabel.IP_ADDRESS: f"An IP address can identify a person's device {_SAFE_HARBOR}",
    IdentifierLabel.SSN: f"A Social Security number identifies a person {_SAFE_HARBOR}",
    IdentifierLabel.MEDICAL_RECORD_NUMBER: f"A medical record number identifies the patient {_SAFE_HARBOR}",
    IdentifierLabel.HEALTH_PLAN_NUMBER: f"An insurance number identifies the patient {_SAFE_HARBOR}",
    IdentifierLabel.ACCOUNT_NUMBER: f"An account or card number identifies a person {_SAFE_HARBOR}",
    IdentifierLabel.LICENSE_NUMBER: f"A licence or certificate number identifies a person {_SAFE_HARBOR}",
    IdentifierLabel.VEHICLE_ID: f"A licence plate or vehicle number identifies its owner {_SAFE_HARBOR}",
    IdentifierLabel.DEVICE_ID: f"A device serial number can be traced to its patient {_SAFE_HARBOR}",
    IdentifierLabel.QUASI_IDENTIFIER: (
        "A rare condition or unusual circumstance combined with place, time or demographics "
        "can re-identify a patient even without a name"
    ),
    IdentifierLabel.FACE: f"A full-face photograph identifies a person {_SAFE_HARBOR}",
    IdentifierLabel.RECORD_IMAGE: (
        "The picture shows a record or screen: its text carries several of a patient's identifiers"
    ),
}

SUGGESTIONS: dict[str, str] = {
    IdentifierLabel.PERSON: "Remove the name or replace it with a neutral term such as 'a patient'",
    IdentifierLabel.DATE: "Remove the date or replace it with a vague period such as 'recently'",
    IdentifierLabel.AGE: "Remove the age or use a broad range such as 'an older adult'",
    IdentifierLabel.LOCATION: "Remove the address or place, or name only the state",
    IdentifierLabel.FACILITY: "Remove the hospital, unit, room or bed details",
    IdentifierLabel.PHONE: "Remove the phone number; point to the official contact page instead",
    IdentifierLabel.FAX: "Remove the fax number",
    IdentifierLabel.EMAIL: "Remove the email address; point to the official contact page instead",
    IdentifierLabel.URL: "Remove the link unless it is a public, non-patient page",
    IdentifierLabel.IP_ADDRESS: "Remove the IP address",
    IdentifierLabel.SSN: "Remove the Social Security number",
    IdentifierLabel.MEDICAL_RECORD_NUMBER: "Remove the medical record number",
    IdentifierLabel.HEALTH_PLAN_NUMBER: "Remove the health plan or insurance number",
    IdentifierLabel.ACCOUNT_NUMBER: "Remove the account or card number",
    IdentifierLabel.LICENSE_NUMBER: "Remove the licence or certificate number",
    IdentifierLabel.VEHICLE_ID: "Remove the licence plate or vehicle number",
    IdentifierLabel.DEVICE_ID: "Remove the device serial or identifier",
    IdentifierLabel.QUASI_IDENTIFIER: "Generalise the case: drop the place, the timing or the demographics",
    IdentifierLabel.FACE: "Use a photo without the face, blur it, or record the person's written consent",
    IdentifierLabel.RECORD_IMAGE: "Do not post pictures of records or screens; describe the case instead",
}

AGE_OVER_89_REASON = (
    "Ages over 89 must always be removed: HIPAA Safe Harbor treats them as identifiers "
    "because so few people are that old"
)


def reason_for(label: str) -> str:
    """The clinician-facing reason for ``label``."""
    return REASONS.get(label, "This detail can identify a patient")


def suggestion_for(label: str) -> str:
    """The suggested fix for ``label``."""
    return SUGGESTIONS.get(label, "Remove this detail")
