"""UNSUPPORTED_CLAIM: absolute, miracle or anti-vaccine claims, and health claims made without a source."""

from __future__ import annotations

from collections.abc import Iterable

from postguard.domain.advice.rules import cues as c
from postguard.domain.advice.rules.base import ContentRule, DocCues, TokenPattern
from postguard.domain.types import ContentLabel, Finding

ABSOLUTE = "CL:ABSOLUTE"
PSEUDOSCIENCE = "CL:PSEUDOSCIENCE"
CURE = "CL:CURE"
ANTIVAX = "CL:ANTIVAX"
QUANTIFIED = "CL:QUANTIFIED"
APPEAL = "CL:APPEAL"
EFFICACY = "CL:EFFICACY"
DEBUNK = "CL:DEBUNK"

ABSOLUTE_PHRASES: tuple[str, ...] = (
    "100% effective",
    "100% safe",
    "100% guaranteed",
    "100% natural",
    "100% success",
    "100 percent effective",
    "100 percent safe",
    "guaranteed to",
    "guaranteed results",
    "guaranteed cure",
    "is guaranteed",
    "are guaranteed",
    "results guaranteed",
    "never fails",
    "works every time",
    "works for everyone",
    "works for everybody",
    "no side effects",
    "zero side effects",
    "without any side effects",
    "completely safe",
    "totally safe",
    "perfectly safe",
    "absolutely safe",
    "risk-free",
    "risk free",
    "zero risk",
    "permanently cures",
    "instantly cures",
)

PSEUDOSCIENCE_PHRASES: tuple[str, ...] = (
    "miracle cure",
    "miracle drug",
    "miracle pill",
    "miracle supplement",
    "wonder drug",
    "magic bullet",
    "secret cure",
    "one weird trick",
    "doctors don't want you to know",
    "doctors hate",
    "big pharma doesn't want",
    "what big pharma",
    "they don't want you to know",
    "flush out toxins",
    "flushes out toxins",
    "flush toxins",
    "flushes toxins",
    "flush the toxins",
    "flush out the toxins",
    "remove toxins",
    "removes toxins",
    "detox your",
    "detoxes your",
    "cleanse your liver",
    "alkaline water cures",
    "boosts your immune system",
    "boost your immune system",
    "supercharge your immune",
    "natural cure",
    "natural cures",
    "cure-all",
    "cures everything",
    "cures all",
    "cure everything",
)

ANTIVAX_PHRASES: tuple[str, ...] = (
    "vaccine injury",
    "vaccine injuries",
    "vaccine injured",
    "vaccine-injured",
    "vaccine damage",
    "vaccine damaged",
    "vaccine shedding",
    "vaccines contain microchips",
    "microchip",
    "microchips",
    "plandemic",
    "scamdemic",
    "depopulation",
    "died suddenly",
    "turbo cancer",
    "natural immunity is better",
    "natural immunity is superior",
    "don't vaccinate",
    "do not vaccinate",
    "never vaccinate",
    "skip the vaccine",
    "skip the jab",
    "refuse the vaccine",
    "refuse the jab",
    "say no to the jab",
    "toxic vaccines",
    "vaccines are poison",
    "vaccines are toxic",
    "vaccines are dangerous",
    "vaccines are a scam",
    "vaccines don't work",
    "vaccines do not work",
    "alter your dna",
    "alters your dna",
    "changes your dna",
    "change your dna",
)

APPEAL_PHRASES: tuple[str, ...] = (
    "clinically proven",
    "scientifically proven",
    "medically proven",
    "proven to",
    "studies show",
    "studies prove",
    "research shows",
    "research proves",
    "science says",
    "science shows",
    "science proves",
    "doctors agree",
    "experts agree",
    "doctors recommend",
    "it's a fact",
    "it is a fact",
    "evidence shows",
)

DEBUNK_PHRASES: tuple[str, ...] = (
    "myth",
    "myths",
    "debunk",
    "debunked",
    "debunking",
    "misinformation",
    "disinformation",
    "false",
    "falsely",
    "no evidence",
    "not true",
    "untrue",
    "do not",
    "does not",
    "don't",
    "doesn't",
    "did not",
    "didn't",
    "never",
    "rumor",
    "rumour",
    "claim that",
    "claims that",
    "fact check",
    "fact-check",
    "contrary to",
)

_VACCINE_WORDS = [
    "vaccine",
    "vaccines",
    "vax",
    "vaxx",
    "jab",
    "jabs",
    "mmr",
    "mrna",
    "vaccination",
    "vaccinations",
    "shots",
    "booster",
    "boosters",
]
_HARM_WORDS = [
    "autism",
    "infertility",
    "sterility",
    "cancer",
    "cancers",
    "sids",
    "death",
    "deaths",
    "dementia",
    "alzheimer's",
    "paralysis",
    "myocarditis",
    "strokes",
    "diabetes",
    "allergies",
    "adhd",
    "harm",
]
_CAUSE_WORDS = ["cause", "causes", "caused", "causing", "trigger", "triggers", "triggered", "lead", "leads"]
_NEGATORS = frozenset(["no", "not", "n't", "never", "nothing", "none", "isn't", "aren't", "without"])
_NOUN_CURE_BEFORE = frozenset(
    [
        "a",
        "the",
        "no",
        "for",
        "find",
        "finding",
        "toward",
        "towards",
        "new",
        "potential",
        "possible",
        "search",
        "hope",
        "cancer",
        "research",
        "closer",
    ]
)
_ASPIRATION = frozenset(
    ["find", "seek", "seeks", "hope", "hopes", "aim", "aims", "goal", "research", "researching", "toward",
     "towards", "working", "closer", "develop", "developing", "search", "trying", "ways"]
)  # fmt: skip
_CURED_FOODS = frozenset(["meat", "meats", "ham", "salmon", "bacon", "sausage", "pork", "fish"])
_EFFICACY_TARGETS = sorted(c.CONDITIONS | {"tumors", "tumours", "toxins", "viruses", "virus", "bacteria"})

REASON_ABSOLUTE = "Promises an absolute or guaranteed health outcome; no treatment is certain or risk-free."
REASON_PSEUDO = "Uses miracle-cure or pseudoscientific framing that evidence does not support."
REASON_ANTIVAX = "Repeats an anti-vaccine claim that the scientific evidence contradicts."
REASON_UNSOURCED = "Makes a specific health claim without citing a source."
SUGGESTION = (
    "Remove absolute or miracle wording and cite a reputable source (guideline or peer-reviewed study) "
    "for any health claim."
)
SUGGESTION_ANTIVAX = "Remove the claim; share guidance from a recognised public-health body instead."


class ClaimsRule(ContentRule):
    """Absolute and pseudoscience wording always counts; cure, quantified and "studies show" claims
    count only when the post cites no source; anti-vaccine claims unless the sentence debunks them."""

    label = ContentLabel.UNSUPPORTED_CLAIM
    locator_keys = (ABSOLUTE, PSEUDOSCIENCE, CURE, ANTIVAX, QUANTIFIED, APPEAL, EFFICACY)

    def token_patterns(self) -> dict[str, list[TokenPattern]]:
        number = {"TEXT": {"REGEX": r"^\d+([.,]\d+)?$"}}
        percent = {"LOWER": {"IN": ["%", "percent", "per", "fold", "x", "times"]}}
        not_negator = {"LOWER": {"NOT_IN": sorted(_NEGATORS | {"do", "does", "did", "don't", "doesn't"})}}
        effect_verbs = [
            "reduces",
            "reduce",
            "reduced",
            "lowers",
            "lower",
            "lowered",
            "cuts",
            "cut",
            "increases",
            "increase",
            "improves",
            "improve",
            "boosts",
            "boost",
            "prevents",
            "prevent",
            "halves",
            "doubles",
            "slashes",
            "decreases",
            "decrease",
            "raises",
            "drops",
            "burns",
            "melts",
        ]
        return {
            CURE: [[{"LOWER": {"IN": ["cures", "cured", "cure", "curing"]}}]],
            ANTIVAX: [
                [
                    {"LOWER": {"IN": _VACCINE_WORDS}},
                    dict(not_negator, OP="{0,3}"),
                    {"LOWER": {"IN": _CAUSE_WORDS}},
                    {"LOWER": {"IN": ["to", "in", "of"]}, "OP": "?"},
                    {"IS_ALPHA": True, "OP": "{0,2}"},
                    {"LOWER": {"IN": _HARM_WORDS}},
                ],
                [
                    {"LOWER": {"IN": _VACCINE_WORDS}},
                    {"LOWER": {"IN": ["are", "is"]}},
                    {"LOWER": {"IN": ["linked", "tied"]}},
                    {"LOWER": "to"},
                    {"IS_ALPHA": True, "OP": "{0,2}"},
                    {"LOWER": {"IN": _HARM_WORDS}},
                ],
            ],
            QUANTIFIED: [
                [
                    {"LOWER": {"IN": effect_verbs}},
                    {"IS_ALPHA": True, "OP": "{0,6}"},
                    {"LOWER": "by", "OP": "?"},
                    {"LOWER": {"IN": ["up", "over", "nearly", "almost", "about"]}, "OP": "?"},
                    {"LOWER": "to", "OP": "?"},
                    number,
                    percent,
                ],
                [
                    number,
                    percent,
                    {
                        "LOWER": {
                            "IN": [
                                "effective",
                                "efficacy",
                                "reduction",
                                "lower",
                                "less",
                                "fewer",
                                "higher",
                                "more",
                                "drop",
                                "increase",
                                "decrease",
                                "success",
                                "protection",
                                "protective",
                                "risk",
                            ]
                        }
                    },
                ],
            ],
            EFFICACY: [
                [
                    {
                        "LOWER": {
                            "IN": [
                                "reverses",
                                "reverse",
                                "reversed",
                                "kills",
                                "kill",
                                "eliminates",
                                "eliminate",
                                "destroys",
                                "destroy",
                                "eradicates",
                                "shrinks",
                                "dissolves",
                            ]
                        }
                    },
                    {"IS_ALPHA": True, "OP": "{0,2}"},
                    {"LOWER": {"IN": _EFFICACY_TARGETS}},
                ],
            ],
        }

    def phrases(self) -> dict[str, Iterable[str]]:
        return {
            ABSOLUTE: ABSOLUTE_PHRASES,
            PSEUDOSCIENCE: PSEUDOSCIENCE_PHRASES,
            ANTIVAX: ANTIVAX_PHRASES,
            APPEAL: APPEAL_PHRASES,
            EFFICACY: ("reverses aging", "reverse aging", "reverses ageing", "reverse ageing"),
            DEBUNK: DEBUNK_PHRASES,
        }

    def evaluate(self, cues: DocCues) -> list[Finding]:
        findings: list[Finding] = []
        sourced = cues.has(c.SOURCE)
        health_post = cues.has(c.HEALTH)
        for i in range(len(cues.sentences)):
            hits: list[tuple[tuple[int, int], float, str, str]] = []
            debunked = cues.has(DEBUNK, i)
            if not debunked:
                hits += [(s, 0.9, REASON_ANTIVAX, SUGGESTION_ANTIVAX) for s in cues.spans(ANTIVAX, i)]
            if health_post:
                hits += [(s, 0.85, REASON_ABSOLUTE, SUGGESTION) for s in cues.spans(ABSOLUTE, i)]
            hits += [(s, 0.85, REASON_PSEUDO, SUGGESTION) for s in cues.spans(PSEUDOSCIENCE, i)]
            if not sourced:
                hits += [(s, 0.8, REASON_UNSOURCED, SUGGESTION) for s in self._cure_claims(cues, i)]
                if health_post:
                    appeals = [a for a in cues.spans(APPEAL, i) if not cues.preceded_by(a[0], _NEGATORS, 8)]
                    unsourced = cues.spans(EFFICACY, i) + appeals
                    hits += [(s, 0.7, REASON_UNSOURCED, SUGGESTION) for s in unsourced]
                    hits += [(s, 0.6, REASON_UNSOURCED, SUGGESTION) for s in cues.spans(QUANTIFIED, i)]
            # "No treatment is 100% effective" states the opposite of a claim.
            hits = [h for h in hits if h[2] == REASON_ANTIVAX or not cues.preceded_by(h[0][0], _NEGATORS, 4)]
            if not hits:
                continue
            best = max(hits, key=lambda h: h[1])
            start = min(h[0][0] for h in hits)
            end = max(h[0][1] for h in hits)
            findings.append(self.finding(cues, (start, end), best[1], best[2], best[3]))
        return findings

    def _cure_claims(self, cues: DocCues, i: int) -> list[tuple[int, int]]:
        """Verb uses of cure/heal about an ailment ("cures anxiety"), not "no cure" or "a cure for"."""
        doc = cues.doc
        out = []
        for start, end in cues.spans(CURE, i):
            prev = doc[start - 1].lower_ if start > cues.sentences[i].start else ""
            nxt = doc[end].lower_ if end < cues.sentences[i].end else ""
            if prev in _NOUN_CURE_BEFORE or nxt in _CURED_FOODS:
                continue
            if cues.preceded_by(start, _ASPIRATION, window=12):
                continue
            if cues.preceded_by(start, _NEGATORS, window=3):
                continue
            if not cues.has_any((c.CONDITION, c.SYMPTOM), i):
                continue
            # the ailment starts 0-3 tokens after the verb, the medication ends 0-1 before it (bisection)
            ailments = [
                *cues.starting_in(c.CONDITION, i, end, end + 3),
                *cues.starting_in(c.SYMPTOM, i, end, end + 3),
            ]
            subject = cues.ending_in(c.MEDICATION, i, start - 1, start)
            out.append((min([start] + [m[0] for m in subject]), max([end] + [a[1] for a in ailments])))
        return out
