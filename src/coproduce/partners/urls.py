"""Partner organisations, referrals and pools, under /partners/."""

from django.urls import path

from coproduce.partners import pool_views, staff_views, views

app_name = "partners"
urlpatterns = [
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/new/", views.organisation_new, name="organisation_new"),
    path("organisations/<uuid:public_id>/", views.organisation, name="organisation"),
    path("organisations/<uuid:public_id>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<uuid:public_id>/staff/",
        views.organisation_staff_add,
        name="organisation_staff",
    ),
    path(
        "organisations/<uuid:public_id>/invite/",
        staff_views.organisation_invite,
        name="organisation_invite",
    ),
    path(
        "organisations/<uuid:public_id>/invitations/<uuid:invitation_id>/resend/",
        staff_views.organisation_invitation_resend,
        name="organisation_invitation_resend",
    ),
    path(
        "organisations/<uuid:public_id>/invitations/<uuid:invitation_id>/revoke/",
        staff_views.organisation_invitation_revoke,
        name="organisation_invitation_revoke",
    ),
    path(
        "organisations/<uuid:public_id>/staff/<uuid:person_id>/refer/",
        staff_views.organisation_staff_refer,
        name="organisation_staff_refer",
    ),
    path(
        "organisations/<uuid:public_id>/staff/<uuid:person_id>/remove/",
        staff_views.organisation_staff_remove,
        name="organisation_staff_remove",
    ),
    path(
        "organisations/<uuid:public_id>/limits/",
        views.organisation_limits,
        name="organisation_limits",
    ),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/report/", views.referral_report, name="referral_report"),
    path("referrals/<uuid:public_id>/", views.referral, name="referral"),
    path("referrals/<uuid:public_id>/notes/", views.referral_notes, name="referral_notes"),
    path("referrals/<uuid:public_id>/move/", views.referral_move, name="referral_move"),
    path("referrals/<uuid:public_id>/induct/", views.referral_induct, name="referral_induct"),
    path("referrals/<uuid:public_id>/suggest/", views.referral_suggest, name="referral_suggest"),
    path("referrals/<uuid:public_id>/outcome/", views.outcome_new, name="outcome_new"),
    path("pools/", pool_views.pools, name="pools"),
    path("pools/new/", pool_views.pool_new, name="pool_new"),
    path("pools/<uuid:public_id>/", pool_views.pool, name="pool"),
    path("pools/<uuid:public_id>/contribute/", pool_views.pool_contribute, name="pool_contribute"),
    path("pools/<uuid:public_id>/spend/", pool_views.pool_spend_new, name="pool_spend_new"),
    path(
        "pools/spends/<uuid:public_id>/approve/",
        pool_views.pool_spend_approve,
        name="pool_spend_approve",
    ),
    path(
        "pools/spends/<uuid:public_id>/refuse/",
        pool_views.pool_spend_refuse,
        name="pool_spend_refuse",
    ),
]
