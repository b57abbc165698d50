"""Project-written social-media post templates for the content classifiers (augmentation).

The public datasets teach the two labels from other genres (ChatGPT doctor replies, NIH answers, hate
tweets); these templates add the genre PostGuard actually screens: a clinician's public post or reply.
Templates are split between train/dev/test by template, so dev/test measure unseen sentence shapes.
"""

from __future__ import annotations

import random
import re

from faker import Faker

from training.common import SEED, split_three

ADVICE, UNPRO = "PERSONAL_ADVICE", "UNPROFESSIONAL"
PERSONAL = [
    "@{handle} sorry about your {symptom}! Take {dose} of {drug} twice a day and you'll be fine",
    "@{handle} that sounds like {condition} to me. Double your {drug} and see how it goes",
    "DM me your symptoms and I'll tell you what to take",
    "@{handle} honestly you should stop your {drug} and try {drug2} instead",
    "Replying to {name}: with your blood pressure you need to cut the {drug} dose in half",
    "@{handle} your {symptom} is probably {condition}, just take {dose} of {drug} at night",
    "{name}, from your photo that rash is {condition}. Put hydrocortisone on it and skip the appointment",
    "@{handle} I'd up your {drug} to {dose} until the {symptom} settles, no need to see anyone",
    "Hey {name}, for your kid's {symptom} give {dose} of {drug} every 6 hours",
    "@{handle} send me your lab results and I will adjust your {drug} for you",
    "@{handle} with your history I'd skip the {drug} and go straight to {drug2}",
    "{name} you definitely have {condition}, start {drug} {dose} tonight",
    "@{handle} you don't need the ER for that {symptom}, take {drug} and sleep it off",
    "DM'd you! In your case {dose} of {drug} should clear the {symptom} in a few days",
    "@{handle} from your description it's {condition}. I'd start {drug} today, no need for a visit",
    "{name}, saw your message - your son's {symptom} sounds viral, give him {drug} and fluids",
    "@{handle} your lab numbers look off, stop the {drug} for a week and message me again",
    "@{handle} that mole you posted looks fine to me, don't bother with a dermatologist",
]
GENERAL = [
    "{condition} affects millions of people. Learn the signs and talk to your doctor if you are worried.",
    "If you have {symptom} that lasts more than a week, see your doctor. This post is not medical advice.",
    "Did you know? {drug} can interact with other medicines. Always ask your pharmacist.",
    "New study finds {condition} risk drops with regular exercise. Link in bio.",
    "Flu shots are available at all our clinics this month. Protect yourself and your family.",
    "What is {condition}? Our specialists explain the symptoms, causes and treatment options.",
    "{symptom} can have many causes. Only a clinician who examines you can tell which.",
    "Thinking about stopping {drug}? Talk to your prescriber first, never stop suddenly.",
    "Join our free webinar on living with {condition} this Thursday.",
    "Five facts about {drug} every patient should know.",
    "Stay hydrated during the heat wave and check on older neighbours.",
    "Our team published new research on {condition} in children today.",
    "Questions about your medication? Call our nurse line or book an appointment.",
    "Screening saves lives: adults over 45 should ask about colorectal cancer screening.",
    "If you have {symptom} with shortness of breath, call 911. Do not drive yourself to the hospital.",
    "Protect yourself this winter: get your flu shot and wash your hands often.",
    "Know your numbers! Get your blood pressure checked at any of our pharmacies.",
    "Feeling anxious? You are not alone. Our mental health resources are linked below.",
    "Keep {drug} out of reach of children and store it below 25°C.",
    "Sunscreen every day, even when it's cloudy. Your skin will thank you.",
    "Worried about {condition}? Your GP can refer you to our specialist clinic.",
    "Tip of the week: take your medicines at the same time every day so you don't miss a dose.",
    "Signs of stroke: face drooping, arm weakness, speech difficulty. Time to call emergency services.",
    "Talk to your doctor before starting any new supplement, especially if you take {drug}.",
]
UNPROFESSIONAL = [
    "Another {slur_free} in bed {bed} tonight, why do I even bother",
    "the frequent flyer in bay {bed} is back, what a waste of oxygen",
    "Guy in room {bed} is a fat lazy slob, no wonder he has {condition}",
    "Ugh, the {slur_free} from yesterday came back screaming. Some people are just trash",
    "Had to deal with another junkie faking {symptom} for a fix. Pathetic.",
    "Bed {bed} lady is dumb as a rock, explained {condition} five times",
    "These idiots won't take their {drug} and then cry when they end up here lol",
    "honestly some of these patients deserve what they get",
    "Our new intern is useless, can't even place an IV, what a moron",
    "Why are the old ones always so disgusting, bed {bed} smelled like death",
]
PROFESSIONAL = [
    "Patient in bed {bed} has a history of opioid use disorder; care plan updated with addiction services.",
    "Teaching today: recognising {symptom} in patients with {condition}.",
    "Non-adherence to {drug} is common. Here's how we support patients to stay on treatment.",
    "Substance use disorder is a medical condition, not a moral failing.",
    "Obesity is a chronic disease. Compassionate care improves outcomes.",
    "Great teamwork in the ICU tonight. Proud of our nurses.",
    "Grand rounds: managing agitation and aggression safely on the ward.",
    "Reminder for students: document withdrawal symptoms and pain scores every shift.",
    "Sexual health clinic open late on Wednesdays, walk-ins welcome.",
    "We talked about stigma around HIV and mental illness at journal club.",
]
SLOT = re.compile(r"\{(\w+)\}")
SYMPTOMS = [
    "headache",
    "cough",
    "back pain",
    "rash",
    "fever",
    "sore throat",
    "chest pain",
    "insomnia",
    "dizziness",
]
CONDITIONS = [
    "migraine",
    "asthma",
    "diabetes",
    "shingles",
    "a UTI",
    "gout",
    "eczema",
    "COPD",
    "anxiety",
    "strep",
]
DRUGS = [
    "ibuprofen",
    "Tylenol",
    "amoxicillin",
    "prednisone",
    "metformin",
    "lisinopril",
    "Zoloft",
    "melatonin",
]
DOSES = ["400mg", "40 mg", "2 tablets", "10ml", "500 mg", "a double dose", "half a pill"]
LABELS = {
    "personal": {ADVICE: 1.0, UNPRO: 0.0},
    "general": {ADVICE: 0.0, UNPRO: 0.0},
    "unprofessional": {ADVICE: 0.0, UNPRO: 1.0},
    "professional": {ADVICE: 0.0, UNPRO: 0.0},
}


def _fill(template: str, fake: Faker, rng: random.Random) -> str:
    values = {
        "handle": fake.user_name(),
        "name": fake.first_name(),
        "symptom": rng.choice(SYMPTOMS),
        "condition": rng.choice(CONDITIONS),
        "drug": rng.choice(DRUGS),
        "drug2": rng.choice(DRUGS),
        "dose": rng.choice(DOSES),
        "bed": str(rng.randint(1, 30)),
        "slur_free": rng.choice(["drunk", "psycho", "whiner"]),
    }
    text = SLOT.sub(lambda m: values[m.group(1)], template)
    return text.lower() if rng.random() < 0.2 else text


def generate(per_template: int = 25) -> dict[str, list[tuple[str, dict[str, float]]]]:
    """Filled posts per split (train/dev/test), templates disjoint across splits."""
    fake = Faker("en_US")
    Faker.seed(SEED + 1)
    rng = random.Random(SEED + 1)
    out: dict[str, list[tuple[str, dict[str, float]]]] = {"train": [], "dev": [], "test": []}
    groups = {
        "personal": PERSONAL,
        "general": GENERAL,
        "unprofessional": UNPROFESSIONAL,
        "professional": PROFESSIONAL,
    }
    for kind, templates in groups.items():
        for split, part in zip(out, split_three(templates, f"textcat-{kind}"), strict=True):
            out[split] += [
                (_fill(t, fake, rng), dict(LABELS[kind])) for t in part for _ in range(per_template)
            ]
    return out
