"""The coordinator's downloads, under /coordinator/exports/."""

from django.urls import path

from coproduce.portability import views

app_name = "portability"
urlpatterns = [
    path("", views.exports, name="exports"),
    path("<slug:what>.<slug:fmt>", views.download, name="download"),
]
