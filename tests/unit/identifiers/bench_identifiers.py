"""Throughput of IdentifierDetector.detect_batch on 10,000 generated ~200-character posts, one core.

Not a test (pytest does not collect it): run ``.venv/bin/python tests/unit/identifiers/bench_identifiers.py``.
"""

from __future__ import annotations

import argparse
import os
import random
import time

from faker import Faker
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.types import Post

CASE = [
    "My patient {name}, a {age}-year-old from {city}, was admitted {date} to room {room}. "
    "Her daughter {first} called us at {phone}. Thank you to the night shift for the amazing care!",
    "Yesterday in the ED we saw a {age}yo {sex} with {cond} after a fall at {street}. MRN {mrn}. "
    "Family updated, all stable this morning. Proud of this team.",
    "Mr. {last} in bed {room} finally went home today after {n} weeks on the {floor} floor ICU. "
    "His wife {first} brought cookies for everyone at {hospital}.",
]
CLEAN = [
    "Flu season is here. Adults aged 65 and over should get the high-dose vaccine. Talk to your doctor "
    "about what is right for you. Not medical advice. #FluShot #PublicHealth",
    "Thanks to Dr. {last} for the great talk on heart failure at grand rounds! Slides: www.example.org/hf. "
    "World Heart Day is September 29 - know your numbers.",
    "Handwashing cuts hospital infections by a third (Smith et al. 2019). Five moments for hand hygiene, "
    "every shift, every patient contact. #InfectionControl",
]


def make_posts(n: int, seed: int = 7) -> list[Post]:
    """``n`` posts, one third case posts with identifiers, cut to 200 characters."""
    fake = Faker("en_US")
    Faker.seed(seed)
    rnd = random.Random(seed)
    posts = []
    for i in range(n):
        template = rnd.choice(CASE if i % 3 == 0 else CLEAN)
        text = template.format(
            name=fake.name(),
            first=fake.first_name(),
            last=fake.last_name(),
            age=rnd.randint(20, 99),
            city=fake.city(),
            date=f"{rnd.randint(1, 12)}/{rnd.randint(1, 28)}",
            room=rnd.randint(1, 999),
            phone=fake.numerify("(###) 555-01##").replace("(0", "(6").replace("(1", "(7"),
            sex=rnd.choice(["man", "woman"]),
            cond=rnd.choice(["a hip fracture", "rabies", "a subdural"]),
            street=fake.street_address(),
            mrn=fake.numerify("00######"),
            n=rnd.randint(2, 9),
            floor=rnd.choice(["4th", "5th", "7th"]),
            hospital=f"{fake.last_name()} Memorial Hospital",
        )
        text = f"{text} #MedTwitter #PatientSafety #Nursing #HealthcareHeroes #QualityImprovement"
        posts.append(Post(f"p{i}", "inst-1", "x", text[:200]))
    return posts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--with-model", action="store_true", help="also run the shipped NER model")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    posts = make_posts(args.posts)
    ner = None
    if args.with_model:
        from postguard.domain.models import load_ner_model

        ner = load_ner_model()
    detector = IdentifierDetector(ner_model=ner)
    detector.detect_batch(posts[:200])  # warm-up
    started = time.perf_counter()
    found = 0
    for i in range(0, len(posts), args.batch):
        found += sum(len(f) for f in detector.detect_batch(posts[i : i + args.batch]))
    elapsed = time.perf_counter() - started
    avg = sum(len(p.text) for p in posts) / len(posts)
    print(
        f"identifier-detection{' + NER' if ner else ''}: {len(posts)} posts (avg {avg:.0f} chars, batch "
        f"{args.batch}) in {elapsed:.2f} s on one core = {len(posts) / elapsed:.0f} posts/s, {found} findings"
    )


if __name__ == "__main__":
    main()
