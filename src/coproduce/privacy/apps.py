from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "coproduce.privacy"
    label = "privacy"
