"""UNDISCLOSED_PROMOTION: discount codes, affiliate links and product pushing without an #ad disclosure."""

from __future__ import annotations

from collections.abc import Iterable

from postguard.domain.advice.rules import cues as c
from postguard.domain.advice.rules.base import ContentRule, DocCues, TokenPattern
from postguard.domain.advice.rules.data import expand, load
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
SHOP = "PR:SHOP"
CAPS_CODE = "PR:CAPS_CODE"
OWN_SHOP = "PR:OWN_SHOP"

DATA = load("promotion.yaml")

INSTITUTION_NOUNS: list[str] = sorted(DATA.words("institution_nouns"))
"""After "our": the institution promoting its own services needs no sponsorship disclosure."""

DISCLOSURES: tuple[str, ...] = DATA.phrases("disclosures")
PUSH_PHRASES: tuple[str, ...] = DATA.phrases("push_phrases")
ENDORSE_PHRASES: tuple[str, ...] = DATA.phrases("endorse_phrases")

RESEARCH_WORDS: tuple[str, ...] = tuple(sorted(DATA.words("research_words")))
"""Sharing a paper or talk ("new paper on probiotics, link in bio") is not pushing a product."""

_NOT_BRANDS = sorted(DATA.words("not_brands"))
"""Platforms and portals written in CamelCase that are not endorsed products."""

_ROUTES = DATA.words("routes")
"""Words of a generic drug description ("Triamcinolone Topical Product"), not a brand."""

PRODUCTS: tuple[str, ...] = tuple(sorted(DATA.words("products")))
_VERB_LEADS = DATA.words("verb_leads")
"""Before a product noun these make it a verb ('call us to book', 'please scale up')."""

_HOSPITAL_CODES = sorted(DATA.words("hospital_codes"))
"""Emergency codes ("code BLUE") that look like discount codes."""
SHOP_PHRASES: tuple[str, ...] = DATA.phrases("shop_phrases")
"""The poster's own shop or referral channel: promotion even with no product named."""
CODE_CONFIDENCE = DATA.number("code_confidence")
SHOP_CONFIDENCE = DATA.number("shop_confidence")
DISCOUNT_CONFIDENCE = DATA.number("discount_confidence")
PUSH_CONFIDENCE = DATA.number("push_confidence")
ENDORSE_CONFIDENCE = DATA.number("endorse_confidence")
WEAK_PUSH_CONFIDENCE = DATA.number("weak_push_confidence")

_PATTERN_LISTS = {
    "hospital_codes": _HOSPITAL_CODES,
    "not_brands": _NOT_BRANDS,
    "product_nouns": [*PRODUCTS, "brand"],
    "institution_nouns": INSTITUTION_NOUNS,
}
"""The word lists this rule's token patterns refer to as ``$name``."""
_PATTERN_KEYS = {
    CODE: "code",
    CAPS_CODE: "caps_code",
    OWN_SHOP: "own_shop",
    DISCOUNT: "discount",
    AFFILIATE: "affiliate",
    LINK_OR_BRAND: "link_or_brand",
    MENTION: "mention",
    BRAND: "brand",
    OWN_INSTITUTION: "own_institution",
}
"""Cue key -> its token-pattern entry in promotion.yaml."""

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
    locator_keys = (CODE, CAPS_CODE, SHOP, DISCOUNT, AFFILIATE, PUSH, ENDORSE, PRODUCT)

    def token_patterns(self) -> dict[str, list[TokenPattern]]:
        return {key: expand(DATA.patterns(entry), _PATTERN_LISTS) for key, entry in _PATTERN_KEYS.items()}

    def phrases(self) -> dict[str, Iterable[str]]:
        return {
            DISCLOSURE: DISCLOSURES,
            PUSH: PUSH_PHRASES,
            ENDORSE: ENDORSE_PHRASES,
            PRODUCT: PRODUCTS,
            RESEARCH: RESEARCH_WORDS,
            SHOP: SHOP_PHRASES,
        }

    def evaluate(self, cues: DocCues) -> list[Finding]:
        if cues.has(DISCLOSURE):
            return []
        commerce = cues.has_any((CODE, CAPS_CODE, SHOP, OWN_SHOP, DISCOUNT, AFFILIATE))
        product_post = bool(_products(cues))
        # A named product with an endorsement or a buying cue, even with no code ("I've switched all my
        # patients to BrandX collagen, link in bio").
        selling = cues.has(PUSH) or (product_post and cues.has(ENDORSE))
        pushing = cues.has(ENDORSE) and cues.has(PUSH) and product_post
        findings: list[Finding] = []
        for i in range(len(cues.sentences)):
            if cues.has(OWN_INSTITUTION, i) and not cues.has(AFFILIATE, i):
                continue
            hits: list[tuple[tuple[int, int], float, str]] = []
            hits += [
                (s, CODE_CONFIDENCE, REASON_CODE) for s in cues.spans(CODE, i) + cues.spans(AFFILIATE, i)
            ]
            hits += [(s, DISCOUNT_CONFIDENCE, REASON_CODE) for s in cues.spans(DISCOUNT, i)]
            hits += [
                (s, SHOP_CONFIDENCE, REASON_CODE)
                for key in (CAPS_CODE, SHOP, OWN_SHOP)
                for s in cues.spans(key, i)
            ]
            if commerce or product_post:
                hits += [(s, PUSH_CONFIDENCE, REASON_PUSH) for s in cues.spans(PUSH, i)]
            if _products(cues, i) and (commerce or cues.has_any((PUSH, LINK_OR_BRAND))):
                hits += [(s, ENDORSE_CONFIDENCE, REASON_PUSH) for s in cues.spans(ENDORSE, i)]
            if not commerce and cues.has(RESEARCH, i):
                hits = [h for h in hits if h[2] == REASON_CODE]
            elif not commerce and not hits and self._brand_here(cues, i) and (selling or pushing):
                hits += [(s, ENDORSE_CONFIDENCE, REASON_PUSH) for s in self._brand_spans(cues, i)]
            elif not commerce and not hits and pushing and cues.has_any((PUSH, ENDORSE), i):
                hits += [
                    (s, WEAK_PUSH_CONFIDENCE, REASON_PUSH)
                    for s in cues.spans(PUSH, i) + cues.spans(ENDORSE, i)
                ]
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
        if _products(cues, i):
            spans += cues.spans(MENTION, i)
        return spans

    def _brand_here(self, cues: DocCues, i: int) -> bool:
        """Whether sentence ``i`` names a product."""
        return bool(self._brand_spans(cues, i))


def _products(cues: DocCues, sentence: int | None = None) -> list[tuple[int, int]]:
    """Product nouns in the post (or one sentence), not their verb uses ("call to book")."""
    doc = cues.doc
    return [s for s in cues.spans(PRODUCT, sentence) if s[0] == 0 or doc[s[0] - 1].lower_ not in _VERB_LEADS]
