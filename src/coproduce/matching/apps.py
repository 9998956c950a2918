from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "coproduce.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from coproduce.matching import receivers

        receivers.connect()
