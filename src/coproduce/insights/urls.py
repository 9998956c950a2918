from django.urls import path

from coproduce.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.report_page, name="report"),
    path("funder/", views.funder_page, name="funder"),
    path("funder/report.pdf", views.export_pdf, name="pdf"),
    path("<str:audience>/report.csv", views.export_csv, name="csv"),
    path("<str:audience>/report.json", views.export_json, name="json"),
    path("<str:audience>/tables/<slug:key>.csv", views.export_table_csv, name="table_csv"),
]
