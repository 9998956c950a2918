from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "coproduce.federation"
    label = "federation"
    verbose_name = _("Between time banks")

    def ready(self) -> None:
        from coproduce.federation.clearing import clearing_mirror_check
        from coproduce.ledger.checks import register_check

        # `coproduce ledger verify`: each pair of clearing accounts mirrors the other.
        register_check(clearing_mirror_check)
