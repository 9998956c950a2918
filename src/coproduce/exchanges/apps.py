from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    name = "coproduce.exchanges"
    label = "exchanges"
    verbose_name = _("Exchanges")

    def ready(self) -> None:
        from coproduce.exchanges.services.tallies import tallies_check
        from coproduce.ledger.checks import register_check

        # `coproduce ledger verify`: the last exchange kept on each membership is a recount's.
        register_check(tallies_check)
