from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "coproduce.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from coproduce.partners import receivers

        receivers.connect()
