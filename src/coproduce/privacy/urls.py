"""A member's privacy pages (mounted at /privacy/): who sees my contact details, download my
data, erase me, and a coordinator's erasure of a member."""

from django.urls import path

from coproduce.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.privacy_settings, name="settings"),
    path("download/", views.data_download, name="download"),
    path("erase/", views.erase_me, name="erase"),
    path("erased/", views.erased, name="erased"),
    path("members/<uuid:public_id>/erase/", views.member_erase_page, name="member_erase"),
]
