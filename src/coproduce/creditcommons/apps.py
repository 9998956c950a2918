from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditCommonsConfig(AppConfig):
    name = "coproduce.creditcommons"
    label = "creditcommons"
    verbose_name = _("Credit Commons")
