"""The kinds of help a time bank values equally (DESIGN.md, "Redefining work")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    CARE = "care", _("Care")
    COMPANIONSHIP = "companionship", _("Companionship")
    TRANSPORT = "transport", _("Transport")
    HOUSEHOLD = "household", _("Household")
    GARDENING = "gardening", _("Gardening")
    LEARNING = "learning", _("Learning")
    ADMIN = "admin", _("Admin and paperwork")
    CREATIVE = "creative", _("Creative")
    HEALTH = "health", _("Health and wellbeing")
    CHILDREN = "children", _("Children and families")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
    CIVIC = "civic", _("Civic and co-design")


# The picture beside each kind of help in easy read (issue 16): a symbol of the Lucide sprite
# vendored as web/static/vendor/lucide-static-icons.svg (scripts/vendor-assets builds it from
# these names); a kind of help without its own picture gets GENERIC_ICON.
CATEGORY_ICONS: dict[str, str] = {
    Category.CARE: "hand-heart",
    Category.COMPANIONSHIP: "users",
    Category.TRANSPORT: "car",
    Category.HOUSEHOLD: "house",
    Category.GARDENING: "sprout",
    Category.LEARNING: "book-open",
    Category.ADMIN: "file-text",
    Category.CREATIVE: "palette",
    Category.HEALTH: "heart-pulse",
    Category.CHILDREN: "baby",
    Category.NEIGHBOURHOOD: "map-pin",
    Category.CIVIC: "landmark",
}
GENERIC_ICON = "tag"


def category_icon_html(key: str | None) -> str:
    """The picture of a kind of help (easy read), hidden from screen readers: the name beside
    it says it all. Drawn by `{% category_icon %}` and by the offers and requests lists."""
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html(
        '<svg class="icon" aria-hidden="true" focusable="false" width="24" height="24">'
        '<use href="{}#{}"></use></svg>',
        static("vendor/lucide-static-icons.svg"),
        CATEGORY_ICONS.get(key or "", GENERIC_ICON),
    )
