"""My two-step sign-in, mounted at /two-step/."""

from django.urls import path

from coproduce.web import two_factor

app_name = "two_factor"
urlpatterns = [
    path("", two_factor.manage, name="manage"),
    path("set-up/", two_factor.setup, name="setup"),
    path("off/", two_factor.turn_off, name="turn_off"),
    path("recovery-codes/", two_factor.new_codes, name="new_codes"),
]
