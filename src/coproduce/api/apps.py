from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "coproduce.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from coproduce.api import receivers

        receivers.connect()
