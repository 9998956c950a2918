from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "coproduce.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from coproduce.conversations import receivers

        receivers.connect()
