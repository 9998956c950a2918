"""Joining a time bank, people's profiles and one-time links to choose a password.
Coordinators' pages about members are in the members app, since they also show and change
accounts."""

from django.urls import path

from coproduce.community import (
    easy_read,
    email_views,
    invitation_views,
    member_search_views,
    photo_views,
    safeguarding_views,
    views,
)

app_name = "community"
urlpatterns = [
    path("join/", views.join_list, name="join_list"),
    path("join/<slug:slug>/", views.join, name="join"),
    path("join/<slug:slug>/thanks/", views.join_thanks, name="join_thanks"),
    path("profile/", views.profile_me, name="profile_me"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("profile/photo/", photo_views.profile_photo, name="profile_photo"),
    path("profile/easy-read/", easy_read.easy_read, name="easy_read"),
    path("people/<uuid:public_id>/", views.profile, name="profile"),
    # The one-time link a coordinator hands a member to choose their password.
    path("welcome/<str:token>/", views.password_link, name="password_link"),
    # An invitation's one-time link (community/invitations.py).
    path(
        "invitation/<str:token>/",
        invitation_views.invitation_accept_page,
        name="invitation_accept",
    ),
    # Links in emails (community.emails): no sign-in needed, a POST does the change.
    path("email/verify/<str:token>/", email_views.email_verify, name="email_verify"),
    path("email/change/<str:token>/", email_views.email_change, name="email_change"),
    path("email/unsubscribe/<str:token>/", email_views.unsubscribe, name="unsubscribe"),
    path("profile/email/verify/", email_views.email_verify_resend, name="email_verify_resend"),
    path("password/forgot/", email_views.password_forgot, name="password_forgot"),
    path(
        "password/reset/<str:uidb64>/<str:token>/",
        email_views.password_reset,
        name="password_reset",
    ),
    # Coordinators only (a 404 for anyone else), beside the other pages about a member.
    path(
        "members/<uuid:public_id>/safeguarding/",
        safeguarding_views.member_safeguarding,
        name="safeguarding",
    ),
    path(
        "members/<uuid:public_id>/incidents/new/",
        safeguarding_views.incident_new,
        name="incident_new",
    ),
    path("incidents/<uuid:public_id>/", safeguarding_views.incident_detail, name="incident"),
    # The member picker's search (community/member_picker.py), coordinators only.
    path("members/find/", member_search_views.member_search, name="member_search"),
]
