"""Co-design projects, mounted at /codesign/. Things are named by their public UUIDs."""

from django.urls import path

from coproduce.codesign import views

app_name = "codesign"
urlpatterns = [
    path("", views.projects, name="projects"),
    path("new/", views.project_new, name="project_new"),
    path("<uuid:public_id>/", views.project_detail, name="project"),
    path("<uuid:public_id>/join/", views.project_join, name="project_join"),
    path("<uuid:public_id>/people/", views.participant_add, name="participant_add"),
    path("<uuid:public_id>/phases/", views.phase_add, name="phase_add"),
    path("<uuid:public_id>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("<uuid:public_id>/proposals/new/", views.proposal_new, name="proposal_new"),
    path("meetings/<uuid:public_id>/", views.meeting_detail, name="meeting"),
    path("meetings/<uuid:public_id>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path(
        "meetings/<uuid:public_id>/attendance/",
        views.meeting_attendance,
        name="meeting_attendance",
    ),
    path("proposals/<uuid:public_id>/", views.proposal_detail, name="proposal"),
    path("proposals/<uuid:public_id>/comment/", views.proposal_comment, name="proposal_comment"),
    path("proposals/<uuid:public_id>/status/", views.proposal_status, name="proposal_status"),
    path("proposals/<uuid:public_id>/progress/", views.proposal_progress, name="proposal_progress"),
    path("proposals/<uuid:public_id>/dissent/", views.proposal_dissent, name="proposal_dissent"),
    path("progress/<uuid:public_id>/done/", views.milestone_done, name="milestone_done"),
]
