"""The coordinator's pages about members (mounted at /members/)."""

from django.urls import path

from coproduce.members.views import members

app_name = "members"
urlpatterns = [
    path("", members.members_list, name="list"),
    path("export.csv", members.members_export, name="export"),
    path("applications/", members.applications, name="applications"),
    path("<uuid:public_id>/induct/", members.induct, name="induct"),
    path("<uuid:public_id>/checks/new/", members.check_new, name="check_new"),
    path("<uuid:public_id>/edit/", members.member_edit, name="edit"),
    # The coordinator never types a member's password: they hand over a one-time link.
    path("<uuid:public_id>/sign-in-link/", members.member_sign_in_link, name="sign_in_link"),
]
