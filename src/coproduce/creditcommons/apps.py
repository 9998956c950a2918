from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditCommonsConfig(AppConfig):
    name = "coproduce.creditcommons"
    label = "creditcommons"
    verbose_name = _("Credit Commons")

    def ready(self) -> None:
        from coproduce.creditcommons.checks import creditcommons_check
        from coproduce.ledger.checks import register_check

        register_check(creditcommons_check)
