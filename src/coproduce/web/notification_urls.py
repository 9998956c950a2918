"""My notifications (mounted at /notifications/)."""

from django.urls import path

from coproduce.web import notifications

app_name = "notifications"
urlpatterns = [
    path("", notifications.notification_list, name="list"),
    path("read/", notifications.read_all, name="read_all"),
]
