from django.urls import path

from coproduce.matching import views

app_name = "matching"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("preferences/", views.preferences, name="preferences"),
    path("settings/", views.settings_page, name="settings"),
    path("requests/<uuid:public_id>/candidates/", views.candidates, name="candidates"),
    path("requests/<uuid:public_id>/invite/<uuid:person_id>/", views.invite, name="invite"),
]
