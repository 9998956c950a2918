from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "coproduce.core"
    label = "core"

    def ready(self) -> None:
        from coproduce.core import translations

        translations.install()
