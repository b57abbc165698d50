"""Clinical-post augmentation: templates filled with Faker names, places and made-up facilities.

Templates are split between train/dev/test by template (not by filled sentence), so dev/test scores on
this source measure generalisation to unseen sentence shapes, not memorised templates.
"""

from __future__ import annotations

import random
import re

from faker import Faker

from training.common import SEED, split_three

# Slots: {first} {full} {rel} (a relative) {city} {state} {facility} {age} {street} {drug} {eponym}
POSITIVE = [
    "My patient {first}, {age}, from {city} finally walked out of the ICU today!",
    "Sat with {first} for an hour after his operation, what a brave kid",
    "So proud of {full} who rang the bell at {facility} this morning",
    "Shoutout to {first} in room 12 who kept the whole ward laughing",
    "{first}'s mom {rel} brought cookies for the night shift at {facility} <3",
    "Long day in the ED at {facility}. {first} from {city} made it all worth it",
    "Had a {age} year old from {city}, {state} come in with chest pain today",
    "Just discharged {full} after 3 weeks on our unit. Miss you already!",
    "Happy birthday to {first}, our longest stay on the oncology floor",
    "{rel} sat with her husband {first} every single day of his stay here",
    "Visiting hours are over but {first} and her daughter {rel} are still chatting away",
    "Great case today: {full}, {age}M, presented to {facility} with a rare rash",
    "we moved {first} to the step down unit at {facility} tonight, fingers crossed",
    "pt {first} ({age}) from {city} asked me to say hi to everyone on insta lol",
    "Throwback to when {full} came back to {facility} to thank the team",
    "Remember {first}? The little guy from {city} with the broken arm? Cast is off!",
    "{first} and {rel} got married in the chapel at {facility} yesterday, not a dry eye",
    "Our transplant patient {first} from {street} is home and doing great",
    "Met the sweetest lady today, {full}, 92 and still sharp as a tack",
    "Night shift at {facility} in {city}. {first} kept asking for pudding",
    "Prayers for {first}, who coded twice on our floor this week",
    "Congrats {first} on beating sepsis! Your nurses at {facility} are so proud",
    "Big thanks to Dr. {full} and the team at {facility} for an amazing rotation",
    "Heading to {city} for the conference, then back to {facility} on Monday",
    "Little {first} drew us a picture before going home to {city}",
    "{full} from {city} has been on our ward since March, send good vibes",
    "Can't stop thinking about {first}, the teen from {city} we lost today",
    "The family of {first} {rel} sent flowers to the NICU at {facility}",
    "Our {age} yo patient {first} from {state} just completed her last round of chemo!!",
    "ICU nurse life: {first} in bed 4 finally extubated",
]
NEGATIVE = [
    "Reminder: {drug} is not a substitute for seeing your doctor.",
    "New guidance on {eponym} screening is out, worth a read for all clinicians",
    "Flu shots available this week. Book online or call the front desk.",
    "Started the morning with a lecture on {eponym} and a strong coffee",
    "Patients on {drug} should ask their pharmacist about interactions.",
    "Wash your hands, cover your cough, stay home when sick.",
    "Great grand rounds on {eponym} today, thanks to everyone who joined",
    "Did you know? {drug} was first approved decades ago and is still widely used.",
    "Our nurses are the best. Happy Nurses Week!",
    "Heat wave this week: drink water and check on elderly neighbours.",
    "Journal club tonight: new trial data on {drug} in heart failure",
    "{eponym} awareness month starts today. Know the signs.",
    "We are hiring! Join our emergency department team.",
    "Five myths about {drug} that we hear every week in clinic",
    "Proud of our residents who presented at the national meeting this year",
]
DRUGS = [
    "Metformin",
    "Tylenol",
    "Advil",
    "Keytruda",
    "Humira",
    "Lipitor",
    "Ozempic",
    "Xanax",
    "Zoloft",
    "Eliquis",
    "Lasix",
    "Prednisone",
    "Amoxicillin",
    "Warfarin",
    "Gabapentin",
    "Narcan",
    "Adderall",
]
EPONYMS = [
    "Parkinson's disease",
    "Crohn's disease",
    "Alzheimer's",
    "Hodgkin lymphoma",
    "Down syndrome",
    "Addison's disease",
    "Cushing syndrome",
    "Huntington's disease",
    "Tourette syndrome",
    "Lyme disease",
    "Graves' disease",
    "Bell's palsy",
    "Asperger's",
    "Kawasaki disease",
]
FACILITY_KINDS = [
    "General Hospital",
    "Medical Center",
    "Community Hospital",
    "Children's Hospital",
    "Regional Medical Center",
    "Memorial Hospital",
    "Health Clinic",
    "Urgent Care",
    "Cancer Center",
    "Rehabilitation Hospital",
]
SLOT = re.compile(r"\{(\w+)\}")
LABEL_OF = {
    "first": "PERSON",
    "full": "PERSON",
    "rel": "PERSON",
    "city": "LOCATION",
    "state": "LOCATION",
    "street": "LOCATION",
    "facility": "FACILITY",
}


def _facility(fake: Faker, rng: random.Random) -> str:
    style = rng.randrange(4)
    if style == 0:
        return f"{fake.city()} {rng.choice(FACILITY_KINDS)}"
    if style == 1:
        return f"St. {fake.first_name()}'s Hospital"
    if style == 2:
        return f"{fake.last_name()} {rng.choice(FACILITY_KINDS)}"
    return f"{rng.choice(['Mercy', 'Providence', 'Good Samaritan', 'Sacred Heart', 'Kaiser'])} {fake.city()}"


def fill(template: str, fake: Faker, rng: random.Random) -> tuple[str, list[tuple[int, int, str]]]:
    """Fill one template; returns the text and its (start, end, label) entity spans."""
    values = {
        "first": fake.first_name(),
        "full": fake.name(),
        "rel": fake.first_name(),
        "city": fake.city(),
        "state": fake.state(),
        "street": fake.street_address(),
        "facility": _facility(fake, rng),
        "age": str(rng.randint(2, 97)),
        "drug": rng.choice(DRUGS),
        "eponym": rng.choice(EPONYMS),
    }
    lower = rng.random() < 0.15  # informal posts often skip capitals
    out, spans, pos = [], [], 0
    for m in SLOT.finditer(template):
        out.append(template[pos : m.start()])
        start = sum(len(p) for p in out)
        value = values[m.group(1)].lower() if lower and m.group(1) in LABEL_OF else values[m.group(1)]
        out.append(value)
        if m.group(1) in LABEL_OF:
            spans.append((start, start + len(value), LABEL_OF[m.group(1)]))
        pos = m.end()
    out.append(template[pos:])
    text = "".join(out)
    return (text.lower() if lower else text), spans


def generate(per_template: int = 40) -> dict[str, list[tuple[str, list[tuple[int, int, str]]]]]:
    """Filled clinical posts per split; templates (positive and negative) are disjoint across splits."""
    fake = Faker("en_US")
    Faker.seed(SEED)
    rng = random.Random(SEED)
    pos_split = split_three(POSITIVE, "templates-pos")
    neg_split = split_three(NEGATIVE, "templates-neg")
    result: dict[str, list[tuple[str, list[tuple[int, int, str]]]]] = {}
    for name, pos_t, neg_t in zip(("train", "dev", "test"), pos_split, neg_split, strict=True):
        examples = [fill(t, fake, rng) for t in pos_t for _ in range(per_template)]
        examples += [fill(t, fake, rng) for t in neg_t for _ in range(per_template // 2)]
        rng.shuffle(examples)
        result[name] = examples
    return result
