"""TimeOverflow's categories onto Coproduce's: each bank names its own (in its own language),
so a name is matched by the words in it, accents and capitals aside; an unknown one goes to
"neighbourhood" (everyday help), and the import prints the mapping it used so a coordinator can
override any line with `--category "NAME=KEY"`."""

from __future__ import annotations

import unicodedata

from coproduce.core.categories import Category

FALLBACK = Category.NEIGHBOURHOOD

# Word stems in the languages TimeOverflow banks write in (Spanish, Catalan, Basque, Galician,
# Portuguese, French, English, Dutch), matched at the start of a word; the first match wins.
_STEMS: tuple[tuple[str, Category], ...] = (
    ("acompa", Category.COMPANIONSHIP),
    ("compan", Category.COMPANIONSHIP),
    ("companh", Category.COMPANIONSHIP),
    ("conversa", Category.COMPANIONSHIP),
    ("lagun", Category.COMPANIONSHIP),
    ("transport", Category.TRANSPORT),
    ("coche", Category.TRANSPORT),
    ("cotxe", Category.TRANSPORT),
    ("lift", Category.TRANSPORT),
    ("jardi", Category.GARDENING),
    ("garden", Category.GARDENING),
    ("huert", Category.GARDENING),
    ("hort", Category.GARDENING),
    ("planta", Category.GARDENING),
    ("tuin", Category.GARDENING),
    ("infan", Category.CHILDREN),
    ("nin", Category.CHILDREN),
    ("nen", Category.CHILDREN),
    ("child", Category.CHILDREN),
    ("canguro", Category.CHILDREN),
    ("famil", Category.CHILDREN),
    ("cuidad", Category.CARE),
    ("cura", Category.CARE),
    ("cures", Category.CARE),
    ("care", Category.CARE),
    ("mayor", Category.CARE),
    ("gent gran", Category.CARE),
    ("salud", Category.HEALTH),
    ("salut", Category.HEALTH),
    ("saude", Category.HEALTH),
    ("sante", Category.HEALTH),
    ("health", Category.HEALTH),
    ("osasun", Category.HEALTH),
    ("estetic", Category.HEALTH),
    ("belleza", Category.HEALTH),
    ("bienestar", Category.HEALTH),
    ("benestar", Category.HEALTH),
    ("wellbeing", Category.HEALTH),
    ("yoga", Category.HEALTH),
    ("administra", Category.ADMIN),
    ("tramit", Category.ADMIN),
    ("gestio", Category.ADMIN),
    ("papel", Category.ADMIN),
    ("paperwork", Category.ADMIN),
    ("asesor", Category.ADMIN),
    ("assessor", Category.ADMIN),
    ("advice", Category.ADMIN),
    ("clase", Category.LEARNING),
    ("class", Category.LEARNING),
    ("curs", Category.LEARNING),
    ("formaci", Category.LEARNING),
    ("idioma", Category.LEARNING),
    ("lesson", Category.LEARNING),
    ("learn", Category.LEARNING),
    ("ensen", Category.LEARNING),
    ("ensenya", Category.LEARNING),
    ("inform", Category.LEARNING),
    ("ikas", Category.LEARNING),
    ("ocio", Category.CREATIVE),
    ("oci", Category.CREATIVE),
    ("cultur", Category.CREATIVE),
    ("arte", Category.CREATIVE),
    ("art", Category.CREATIVE),
    ("music", Category.CREATIVE),
    ("artesan", Category.CREATIVE),
    ("cocina", Category.HOUSEHOLD),
    ("cuina", Category.HOUSEHOLD),
    ("cook", Category.HOUSEHOLD),
    ("domest", Category.HOUSEHOLD),
    ("hogar", Category.HOUSEHOLD),
    ("llar", Category.HOUSEHOLD),
    ("casa", Category.HOUSEHOLD),
    ("house", Category.HOUSEHOLD),
    ("bricola", Category.HOUSEHOLD),
    ("reparaci", Category.HOUSEHOLD),
    ("repair", Category.HOUSEHOLD),
    ("manitas", Category.HOUSEHOLD),
    ("prestamo", Category.HOUSEHOLD),
    ("prestec", Category.HOUSEHOLD),
    ("herramienta", Category.HOUSEHOLD),
    ("eina", Category.HOUSEHOLD),
    ("tool", Category.HOUSEHOLD),
    ("barri", Category.NEIGHBOURHOOD),
    ("vecin", Category.NEIGHBOURHOOD),
    ("veina", Category.NEIGHBOURHOOD),
    ("neighbour", Category.NEIGHBOURHOOD),
    ("comunita", Category.CIVIC),
    ("participa", Category.CIVIC),
    ("asocia", Category.CIVIC),
    ("associa", Category.CIVIC),
)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def category_for(name: str) -> Category:
    """The nearest Coproduce category for a TimeOverflow category name."""
    folded = _folded(name)
    words = [word for word in "".join(c if c.isalnum() else " " for c in folded).split()]
    for stem, category in _STEMS:
        if " " in stem:
            if stem in folded:
                return category
        elif any(word.startswith(stem) for word in words):
            return category
    return FALLBACK
