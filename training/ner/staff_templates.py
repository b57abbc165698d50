"""Staff-post augmentation: staff_templates.yaml filled with multicultural names and world places.

Names come from Faker's person providers (MIT licence) of many locales, grouped by region and drawn
region-first, so South Asian, African, East Asian and Irish names are as frequent as Anglo ones; places
come from the repo's GeoNames gazetteer (CC BY 4.0). Templates AND name / place pools are split between
train/dev/test (seeded), so dev/test measure unseen sentence shapes with unseen names and towns.
Variants: another title before a family name (50 %); a post fully lower-cased (15 %), only its
names lower-cased (10 %), or all-caps names (3 %).
"""

from __future__ import annotations

import importlib
import random
import re
from pathlib import Path

import yaml

from training.common import REPO_ROOT, SEED, split_three

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "staff_templates.yaml"
GAZETTEER = REPO_ROOT / "services" / "postguard" / "domain" / "identifiers" / "data" / "gazetteer.txt"
# region -> Faker person locales (Latin-script names; zh_CN / ja_JP contribute their romanized names)
REGIONS = {
    "anglo": ("en_US", "en_GB", "en_NZ"),  # Faker has no en_CA / en_AU person names (they use en_US)
    "irish": ("en_IE", "ga_IE"),
    "south_asian": ("en_IN", "en_PK"),
    "african": ("yo_NG", "ig_NG", "ha_NG", "en_NG", "tw_GH", "en_KE", "sw", "zu_ZA"),
    "east_asian": ("zh_CN", "ja_JP", "vi_VN", "en_TH", "id_ID"),
    "other": ("es_MX", "fr_CA", "pl_PL", "it_IT", "pt_BR", "tr_TR"),
}
# the hold-out countries' places are weighted up; the rest of the world is still drawn
PLACE_COUNTRIES = ("US", "GB", "IE", "IN", "CA", "AU")
LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f' -]*[A-Za-z\u00c0-\u024f]$")
SLOT = re.compile(r"\{(\w+)\}")
# a title written before a family name in a template is swapped for another title half the time
TITLE = re.compile(r"\b(?:Mrs|Mr|Ms|Dr|Prof|Sister|Nurse) (?=\{last)")
ENTITY_SLOTS = {
    "first": "PERSON",
    "first2": "PERSON",
    "rel": "PERSON",
    "full": "PERSON",
    "full2": "PERSON",
    "last": "PERSON",
    "last2": "PERSON",
    "town": "LOCATION",
    "town2": "LOCATION",
    "facility": "FACILITY",
}
FACILITY_SHAPES = (
    "{town} General Hospital",
    "{town} Royal Infirmary",
    "University Hospital {town}",
    "{town} District Hospital",
    "{town} Base Hospital",
    "St {first}'s Hospital",
    "St. {first}'s",
    "{last} Memorial Hospital",
    "{town} Children's Hospital",
    "{town} Medical Centre",
    "{town} Community Hospital",
    "{last} Cancer Centre",
    "{town} Civil Hospital",
    "{town} Regional Medical Center",
    "{town} Hospice",
)
Example = tuple[str, list[tuple[int, int, str]]]


def _names(values: object) -> list[str]:
    items = list(values.keys()) if isinstance(values, dict) else list(values or ())  # type: ignore[union-attr]
    return [n for n in items if isinstance(n, str) and LATIN.match(n)]


def name_pools() -> dict[str, tuple[list[str], list[str]]]:
    """Per region: (given names, family names), de-duplicated and sorted (deterministic)."""
    pools: dict[str, tuple[list[str], list[str]]] = {}
    for region, locales in REGIONS.items():
        given: set[str] = set()
        family: set[str] = set()
        for loc in locales:
            provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
            for attr in ("first_names", "first_names_male", "first_names_female", "first_romanized_names"):
                given.update(_names(getattr(provider, attr, ())))
            for attr in ("last_names", "last_romanized_names"):
                family.update(_names(getattr(provider, attr, ())))
        pools[region] = (sorted(given), sorted(family))
    return pools


def place_pool() -> tuple[list[str], list[str]]:
    """(places of the hold-out countries, other places) from the gazetteer, multi-letter names only."""
    home, world = [], []
    for line in GAZETTEER.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        name, countries = line.split("\t")[:2]
        if len(name) < 3 or not name[0].isupper():
            continue
        (home if set(countries.split(",")) & set(PLACE_COUNTRIES) else world).append(name)
    return home, world


class Filler:
    """Draws slot values for one split from that split's share of the name and place pools."""

    def __init__(self, split_index: int, fillers: dict[str, list[str]], rng: random.Random) -> None:
        self.rng = rng
        self.fillers = fillers
        self.given: dict[str, list[str]] = {}
        self.family: dict[str, list[str]] = {}
        for region, (given, family) in name_pools().items():
            self.given[region] = split_three(given, f"staff-given-{region}")[split_index] or given
            self.family[region] = split_three(family, f"staff-family-{region}")[split_index] or family
        home, world = place_pool()
        self.home = split_three(home, "staff-places-home")[split_index]
        self.world = split_three(world, "staff-places-world")[split_index]

    def person(self) -> tuple[str, str]:
        region = self.rng.choice(sorted(self.given))
        return self.rng.choice(self.given[region]), self.rng.choice(self.family[region])

    def town(self) -> str:
        return self.rng.choice(self.home if self.rng.random() < 0.7 else self.world)

    def values(self) -> dict[str, str]:
        """One value per slot name (entity slots and fillers)."""
        first, last = self.person()
        first2, last2 = self.person()
        rel, _ = self.person()
        f3, l3 = self.person()
        out = {
            "first": first,
            "first2": first2,
            "rel": rel,
            "last": last,
            "last2": last2,
            "full": f"{first} {last}",
            "full2": f"{f3} {l3}",
            "town": self.town(),
            "town2": self.town(),
            "age": str(self.rng.choice([self.rng.randint(1, 17), self.rng.randint(18, 99)])),
            "bed": str(self.rng.randint(1, 32)),
            "room": str(self.rng.randint(1, 40)),
            "n": str(self.rng.randint(2, 60)),
        }
        shape = self.rng.choice(FACILITY_SHAPES)
        out["facility"] = shape.format(town=self.town(), first=self.person()[0], last=self.person()[1])
        for slot, choices in self.fillers.items():
            out[slot] = self.rng.choice(choices)
        out["condition2"] = self.rng.choice(self.fillers["condition"])
        return out


def fill(template: str, values: dict[str, str], case: str) -> Example:
    """Fill one template; ``case`` is 'as-is', 'lower' (whole post), 'names-lower' or 'names-upper'."""
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = length = 0
    for m in SLOT.finditer(template):
        piece = template[pos : m.start()]
        out.append(piece)
        length += len(piece)
        slot = m.group(1)
        value = values[slot]
        if slot in ENTITY_SLOTS and case == "names-lower":
            value = value.lower()
        elif slot in ENTITY_SLOTS and case == "names-upper" and ENTITY_SLOTS[slot] == "PERSON":
            value = value.upper()
        out.append(value)
        if slot in ENTITY_SLOTS:
            label = ENTITY_SLOTS[slot]
            if spans and label == "PERSON" == spans[-1][2] and spans[-1][1] == length - 1 and piece == " ":
                spans[-1] = (spans[-1][0], length + len(value), label)  # "{first} {last}" is one name
            else:
                spans.append((length, length + len(value), label))
        length += len(value)
        pos = m.end()
    out.append(template[pos:])
    text = "".join(out)
    lowered = text.lower()
    return (lowered if case == "lower" and len(lowered) == len(text) else text), spans


def _vary(template: str, rng: random.Random) -> str:
    return TITLE.sub("{title} ", template) if rng.random() < 0.5 else template


def _case(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.15:
        return "lower"
    if r < 0.25:
        return "names-lower"
    if r < 0.28:
        return "names-upper"
    return "as-is"


def generate(per_template: int = 40, per_negative: int = 25) -> dict[str, list[Example]]:
    """Filled staff posts per split; each template group is split by template, pools by name and place."""
    data = yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))
    groups: dict[str, list[str]] = data["groups"]
    fillers: dict[str, list[str]] = data["fillers"]
    parts = [split_three(templates, f"staff-{group}") for group, templates in sorted(groups.items())]
    negatives = split_three(data["negatives"], "staff-negatives")
    result: dict[str, list[Example]] = {}
    for index, split in enumerate(("train", "dev", "test")):
        rng = random.Random(f"{SEED}-staff-{split}")
        filler = Filler(index, fillers, rng)
        shapes = [t for p in parts for t in p[index]]
        k = per_template
        examples = [fill(_vary(t, rng), filler.values(), _case(rng)) for t in shapes for _ in range(k)]
        negative = negatives[index]
        examples += [fill(t, filler.values(), _case(rng)) for t in negative for _ in range(per_negative)]
        rng.shuffle(examples)
        result[split] = examples
    return result
