from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "coproduce.members"
    label = "members"
