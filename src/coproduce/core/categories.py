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
