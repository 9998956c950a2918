"""My account and statements, gifts, and coordinators' grants (mounted at /account/)."""

from django.urls import path

from coproduce.members.views import account

app_name = "account"
urlpatterns = [
    path("", account.statement, name="statement"),
    path("statement.csv", account.statement_csv, name="statement_csv"),
    path("statement/print/", account.statement_print, name="statement_print"),
    path("members/<uuid:person_id>/", account.member_statement, name="member_statement"),
    path("members/<uuid:person_id>.csv", account.member_statement_csv, name="member_statement_csv"),
    path(
        "members/<uuid:person_id>/print/",
        account.member_statement_print,
        name="member_statement_print",
    ),
    path("gift/", account.gift, name="gift"),
    path("grant/", account.grant, name="grant"),
]
