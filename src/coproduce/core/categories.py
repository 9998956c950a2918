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
