"""UNDISCLOSED_PROMOTION: discount codes, affiliate links and product pushing without an #ad disclosure."""

from __future__ import annotations

from collections.abc import Iterable

from postguard.domain.advice.rules import cues as c
from postguard.domain.advice.rules.base import ContentRule, DocCues, TokenPattern, words
from postguard.domain.spans import FixedSpans
from postguard.domain.types import ContentLabel, Finding

CODE = "PR:CODE"
DISCOUNT = "PR:DISCOUNT"
AFFILIATE = "PR:AFFILIATE"
PUSH = "PR:PUSH"
ENDORSE = "PR:ENDORSE"
PRODUCT = "PR:PRODUCT"
DISCLOSURE = "PR:DISCLOSURE"
LINK_OR_BRAND = "PR:LINK_OR_BRAND"
BRAND = "PR:BRAND"
MENTION = "PR:MENTION"
RESEARCH = "PR:RESEARCH"
OWN_INSTITUTION = "PR:OWN_INSTITUTION"

INSTITUTION_NOUNS = [
    "hospital", "clinic", "clinics", "gift", "shop", "store", "cafeteria", "cafe", "canteen", "foundation",
    "pharmacy", "health", "system", "center", "centre", "trust", "campus", "parking", "gym", "auxiliary",
]  # fmt: skip
"""After "our": the institution promoting its own services needs no sponsorship disclosure."""

DISCLOSURES: tuple[str, ...] = (
    "#ad",
    "#ads",
    "#advert",
    "#advertisement",
    "#sponsored",
    "#spon",
    "#partner",
    "#partnership",
    "#paidpartnership",
    "#paidpartner",
    "#affiliate",
    "#affiliatelink",
    "#gifted",
    "#ambassador",
    "#brandambassador",
    "#paid",
    "#promo",
    "ad:",
    "[ad]",
    "(ad)",
    "advertisement",
    "paid partnership",
    "paid partner",
    "paid promotion",
    "sponsored by",
    "sponsored post",
    "this post is sponsored",
    "in partnership with",
    "partnered with",
    "affiliate link",
    "affiliate links",
    "i earn a commission",
    "i may earn",
    "earn a small commission",
    "commission",
    "i was paid",
    "i am paid",
    "i'm paid",
    "compensated",
    "gifted",
    "pr package",
    "disclosure:",
    "disclosure",
    "conflict of interest",
    "conflicts of interest",
    "paid consultant",
    "paid advisor",
    "paid adviser",
    "advisory board",
    "i'm a paid",
    "i am a paid",
    "honoraria",
    "honorarium",
    "brand ambassador",
    "i own shares",
    "financial interest",
)

PUSH_PHRASES: tuple[str, ...] = (
    "shop now",
    "buy now",
    "order now",
    "order yours",
    "get yours",
    "grab yours",
    "grab it now",
    "add to cart",
    "use my link",
    "click my link",
    "link in bio",
    "link in my bio",
    "link in my profile",
    "link below",
    "link in comments",
    "link in the comments",
    "swipe up",
    "check them out",
    "check it out",
    "check out",
    "shop at",
    "buy them",
    "buy it",
    "buy one",
    "get one at",
    "get yours at",
    "download it",
    "download the app",
    "grab it",
    "grab one",
    "available at",
    "order on",
    "order from",
    "order yours",
    "dm me to order",
    "dm me for",
    "where to buy",
    "tell them i sent you",
    "on the app store",
    "on their website",
    "on their site",
    "available on amazon",
    "buy it on amazon",
    "limited time offer",
    "while supplies last",
    "free shipping",
    "buy one get one",
    "bogo",
)

ENDORSE_PHRASES: tuple[str, ...] = (
    "i swear by",
    "i only use",
    "i only recommend",
    "my favorite",
    "my favourite",
    "my fave",
    "obsessed with",
    "game changer",
    "game-changer",
    "highly recommend",
    "i love this",
    "i love these",
    "can't live without",
    "must-have",
    "must have",
    "holy grail",
    "go-to",
    "you need this",
    "you need these",
    "switched all my patients to",
    "switched my patients to",
    "all my patients",
    "all my moms",
    "all my families",
    "every patient should",
    "everyone should",
    "i recommend",
    "recommend",
    "i tell all my",
    "i only prescribe",
    "i only take",
    "the only",
    "on the market",
    "trust me",
    "you'll thank me",
    "thank me later",
    "derm-approved",
    "derm approved",
    "doctor approved",
    "doctor-approved",
    "dr approved",
    "nurse approved",
    "nothing else comes close",
    "the best",
    "loving my new",
    "love my new",
    "i just love",
    "i love",
    "new favourite",
    "new favorite",
    "fixed my",
    "changed my life",
    "life-changing",
    "best purchase",
)

RESEARCH_WORDS: tuple[str, ...] = tuple(
    words("""
    paper papers study studies trial trials journal article articles research review podcast episode
    webinar lecture talk guideline guidelines preprint abstract poster
    """)
)
"""Sharing a paper or talk ("new paper on probiotics, link in bio") is not pushing a product."""

_NOT_BRANDS = [
    "youtube", "linkedin", "tiktok", "pubmed", "webmd", "researchgate", "medtwitter", "iphone", "ipad",
    "facetime", "whatsapp", "gofundme", "powerpoint", "mychart", "mcdonald", "mcdonald's", "covid",
    "medscape", "uptodate", "doximity", "facebook", "instagram", "twitter", "snapchat",
]  # fmt: skip
"""Platforms and portals written in CamelCase that are not endorsed products."""

_ROUTES = frozenset(
    words("topical nasal ophthalmic oral otic rectal vaginal inhaled transdermal product products generic")
)
"""Words of a generic drug description ("Triamcinolone Topical Product"), not a brand."""

PRODUCTS: tuple[str, ...] = tuple(
    words("""
    supplement supplements vitamin vitamins gummies gummy protein powder shake shakes collagen probiotic
    probiotics cream creams serum serums moisturizer moisturiser sunscreen skincare lotion tea teas detox
    brand product products app device devices kit kits course courses book program programme plan
    tracker watch mattress pillow oil oils drops capsules tablets pills formula cleanse bars snack snacks
    greens syrup paste toothpaste socks packs packets machine drip drips gel gels spray sprays patch patches
    shampoo wipes monitor monitors scale scales
    """)
)

_AFFILIATE_URL = (
    r"(amzn\.to|amazon\.[a-z.]+/.*tag=|[?&](ref|aff|affid|affiliate|tag)=|/ref="
    r"|rstyle\.me|shopmy\.us|ltk\.app|liketk\.it|go\.magik\.ly|shareasale)"
)

_HOSPITAL_CODES = [
    "blue", "red", "stemi", "stroke", "sepsis", "trauma", "pink", "white", "black", "orange", "grey", "gray",
    "silver", "yellow", "green", "brown", "purple", "amber",
]  # fmt: skip
"""Emergency codes ("code BLUE") that look like discount codes."""

REASON_CODE = "Promotes a product with a discount code or affiliate link without disclosing the relationship."
REASON_PUSH = "Pushes a product or service without disclosing any sponsorship or financial interest."
SUGGESTION = (
    "Disclose any sponsorship, gift or financial interest clearly at the start (e.g. #ad) or remove the "
    "promotion; follow the institution's endorsement policy."
)


class PromotionRule(ContentRule):
    """Commerce cues (codes, discounts, affiliate URLs, "shop now", product endorsements) with no disclosure
    anywhere in the post. A disclosure (#ad, "paid partnership", "affiliate link"…) clears the whole post."""

    label = ContentLabel.UNDISCLOSED_PROMOTION
    locator_keys = (CODE, DISCOUNT, AFFILIATE, PUSH, ENDORSE, PRODUCT)

    def token_patterns(self) -> dict[str, list[TokenPattern]]:
        number = {"TEXT": {"REGEX": r"^\d+$"}}
        up_to = [{"LOWER": "up", "OP": "?"}, {"LOWER": "to", "OP": "?"}]
        return {
            CODE: [
                [
                    {"LOWER": {"IN": ["promo", "discount", "coupon", "referral", "voucher", "my"]}},
                    {"LOWER": {"IN": ["code", "codes"]}},
                ],
                [
                    {"LOWER": {"IN": ["code", "coupon"]}},
                    {"ORTH": ":", "OP": "?"},
                    {
                        "TEXT": {"REGEX": r"^[A-Z0-9_]*[A-Z][A-Z0-9_]*$"},
                        "LENGTH": {">=": 4},
                        "LOWER": {"NOT_IN": _HOSPITAL_CODES},
                    },
                ],
                [{"LOWER": {"IN": ["use", "enter", "apply", "with"]}}, {"LOWER": {"IN": ["code", "coupon"]}}],
            ],
            DISCOUNT: [
                [number, {"LOWER": {"IN": ["%", "percent"]}}, {"LOWER": "off"}],
                [{"LOWER": "save"}, *up_to, number, {"LOWER": {"IN": ["%", "percent"]}}],
                [{"LOWER": "save"}, *up_to, {"ORTH": "$"}, number],
                [{"ORTH": "$"}, number, {"LOWER": "off"}],
            ],
            AFFILIATE: [[{"LIKE_URL": True, "LOWER": {"REGEX": _AFFILIATE_URL}}]],
            LINK_OR_BRAND: [[{"LIKE_URL": True}], [{"TEXT": {"REGEX": r"^@\w{2,}"}}]],
            MENTION: [[{"TEXT": {"REGEX": r"^@\w{2,}"}}]],
            BRAND: [
                # CamelCase product names: "BrandX", "VitaCore", "HydraLyte".
                [{"TEXT": {"REGEX": r"^[A-Z][a-z]+[A-Z][A-Za-z0-9]*$"}, "LOWER": {"NOT_IN": _NOT_BRANDS}}],
                # A capitalised name right before a product noun or "brand": "AG1 greens", "Zenova brand".
                [
                    {
                        "TEXT": {"REGEX": r"^[A-Z][A-Za-z]*[A-Za-z0-9]$"},
                        "IS_SENT_START": False,
                        "LOWER": {"NOT_IN": _NOT_BRANDS},
                    },
                    {"LOWER": {"REGEX": r"^[a-z]+$"}, "OP": "?"},
                    {"LOWER": {"IN": [*PRODUCTS, "brand"]}},
                ],
            ],
            OWN_INSTITUTION: [
                [{"LOWER": "our"}, {"IS_ALPHA": True, "OP": "{0,2}"}, {"LOWER": {"IN": INSTITUTION_NOUNS}}],
            ],
        }

    def phrases(self) -> dict[str, Iterable[str]]:
        return {
            DISCLOSURE: DISCLOSURES,
            PUSH: PUSH_PHRASES,
            ENDORSE: ENDORSE_PHRASES,
            PRODUCT: PRODUCTS,
            RESEARCH: RESEARCH_WORDS,
        }

    def evaluate(self, cues: DocCues) -> list[Finding]:
        if cues.has(DISCLOSURE):
            return []
        commerce = cues.has_any((CODE, DISCOUNT, AFFILIATE))
        product_post = cues.has(PRODUCT)
        # A named product with an endorsement or a buying cue, even with no code ("I've switched all my
        # patients to BrandX collagen, link in bio").
        selling = cues.has(PUSH) or (product_post and cues.has(ENDORSE))
        pushing = cues.has(ENDORSE) and cues.has(PUSH) and product_post
        findings: list[Finding] = []
        for i in range(len(cues.sentences)):
            if cues.has(OWN_INSTITUTION, i) and not cues.has(AFFILIATE, i):
                continue
            hits: list[tuple[tuple[int, int], float, str]] = []
            hits += [(s, 0.85, REASON_CODE) for s in cues.spans(CODE, i) + cues.spans(AFFILIATE, i)]
            hits += [(s, 0.75, REASON_CODE) for s in cues.spans(DISCOUNT, i)]
            if commerce or product_post:
                hits += [(s, 0.65, REASON_PUSH) for s in cues.spans(PUSH, i)]
            if cues.has(PRODUCT, i) and (commerce or cues.has_any((PUSH, LINK_OR_BRAND))):
                hits += [(s, 0.6, REASON_PUSH) for s in cues.spans(ENDORSE, i)]
            if not commerce and cues.has(RESEARCH, i):
                hits = [h for h in hits if h[2] == REASON_CODE]
            elif not commerce and not hits and self._brand_here(cues, i) and (selling or pushing):
                hits += [(s, 0.6, REASON_PUSH) for s in self._brand_spans(cues, i)]
            elif not commerce and not hits and pushing and cues.has_any((PUSH, ENDORSE), i):
                hits += [(s, 0.55, REASON_PUSH) for s in cues.spans(PUSH, i) + cues.spans(ENDORSE, i)]
            if not hits:
                continue
            best = max(hits, key=lambda h: h[1])
            start = min(h[0][0] for h in hits)
            end = max(h[0][1] for h in hits)
            findings.append(self.finding(cues, (start, end), best[1], best[2], SUGGESTION))
        return findings

    @staticmethod
    def _brand_spans(cues: DocCues, i: int) -> list[tuple[int, int]]:
        """Named products in sentence ``i``: brand-like names, or @mentions next to a product noun."""
        generic = FixedSpans([*cues.spans(c.MEDICATION, i), *cues.spans(c.HEALTH, i)])  # bisection
        spans = [
            s
            for s in cues.spans(BRAND, i)
            if not any(tok.lower_ in _ROUTES for tok in cues.doc[s[0] : s[1]]) and not generic.overlaps(*s)
        ]
        if cues.has(PRODUCT, i):
            spans += cues.spans(MENTION, i)
        return spans

    def _brand_here(self, cues: DocCues, i: int) -> bool:
        """Whether sentence ``i`` names a product."""
        return bool(self._brand_spans(cues, i))
