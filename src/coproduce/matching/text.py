"""Words to match on: the same plain-Python stemming and synonyms on SQLite and PostgreSQL.

A listing's or a profile's text becomes a set of *terms*: each word lower-cased, stop words
dropped, cut to a stem by a few suffix rules ("gardening", "gardener" → "garden"), then mapped
through a small synonym list per category to one shared term ("weeding" and "lawn" → "garden",
"lift" and "driving" → "transport"). The kind of help itself is the term "c:<category>".
Because the terms are computed here and stored (models.MatchTerm), both databases compare the
very same strings, so a request finds the same people on either.
"""

from __future__ import annotations

import re

from coproduce.core.categories import Category
from coproduce.exchanges.selectors.search import STOP_WORDS

MAX_TERM_LENGTH = 40
_WORD = re.compile(r"[^\W\d_]+")
# Words that say nothing about the kind of help ("help with my …", "someone to …").
_FILLER_TEXT = (
    "help helping helper need needs needed please someone somebody anyone would like could "
    "get got give giving want wanted also bit little thing things week weekly day time "
    "monday tuesday wednesday thursday friday saturday sunday morning afternoon evening "
    "mornings afternoons evenings weekend weekends every just really"
)
_FILLER = frozenset(_FILLER_TEXT.split())
_SUFFIXES = ("ings", "ing", "ers", "er", "ies", "ied", "es", "ed", "s", "e")

# One line per kind of help: the words that mean it. The first word is the shared term.
SYNONYMS: dict[str, str] = {
    Category.GARDENING: "garden weed weeding lawn mow mowing hedge prune pruning plant planting "
    "allotment dig digging grass compost",
    Category.TRANSPORT: "transport lift lifts drive driving driver car ride taxi trip journey "
    "collect",
    Category.HOUSEHOLD: "household diy repair repairs fix fixing shelf shelves flatpack "
    "decorating clean cleaning tidy hoover ironing",
    Category.COMPANIONSHIP: "companionship company chat chatting visit visiting befriend "
    "befriending friend talk lonely cuppa",
    Category.CARE: "care carer caring respite sitter personal",
    Category.LEARNING: "learning teach teaching tutor tutoring lesson lessons homework "
    "english maths language conversation",
    Category.ADMIN: "admin paperwork form forms letter letters benefits bills typing application",
    Category.CREATIVE: "creative art craft crafts knit knitting sew sewing music singing "
    "painting photography",
    Category.HEALTH: "health wellbeing exercise yoga walking massage fitness",
    Category.CHILDREN: "children child kids babysit babysitting childcare toddler school",
    Category.NEIGHBOURHOOD: "neighbourhood litter street community watch",
    Category.CIVIC: "civic council consultation meeting codesign campaign",
    "computer": "computer computers laptop phone smartphone tablet email internet online",
    "shopping": "shopping shop shops groceries errands",
    "cooking": "cooking cook meal meals baking",
    "pet": "pet pets dog dogs cat cats",
}


def stem(word: str) -> str:
    """A crude but stable stem: strip one common suffix, undouble a final consonant."""
    word = word.lower()[:MAX_TERM_LENGTH]
    for suffix in _SUFFIXES:
        # A plural "s" may leave three letters ("dogs"); other suffixes four, so "caring"
        # and "care" never shrink to "car".
        shortest = 3 if suffix == "s" else 4
        if word.endswith(suffix) and len(word) - len(suffix) >= shortest:
            word = word[: -len(suffix)]
            if suffix == "ies" or suffix == "ied":
                word += "y"
            break
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word


def _synonym_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for words in SYNONYMS.values():
        head, *rest = words.split()
        for word in [head, *rest]:
            mapping.setdefault(stem(word), stem(head))
    return mapping


SYNONYM_OF = _synonym_map()


def term_of(word: str) -> str | None:
    """The term a single word stands for, or None for a word that carries no meaning here."""
    word = word.lower()
    if len(word) < 3 or word in STOP_WORDS or word in _FILLER:
        return None
    stemmed = stem(word)
    return SYNONYM_OF.get(stemmed, stemmed)


def category_term(category: str) -> str:
    return f"c:{category}"


def terms_of(*texts: str) -> dict[str, str]:
    """Each term in the texts, with the first word that gave it (for explanations)."""
    found: dict[str, str] = {}
    for text in texts:
        for word in _WORD.findall(text or ""):
            term = term_of(word)
            if term and term not in found:
                found[term] = word.lower()
    return found


def _forms() -> dict[str, list[str]]:
    forms: dict[str, list[str]] = {}
    for words in SYNONYMS.values():
        for word in words.split():
            term = SYNONYM_OF[stem(word)]
            forms.setdefault(term, [])
            if word not in forms[term]:
                forms[term].append(word)
    return forms


_FORMS = _forms()


def forms_of(term: str) -> list[str]:
    """Pieces of text that show a term in a listing: its stem and its synonyms' words."""
    return list(dict.fromkeys([term, *_FORMS.get(term, [])]))
