from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from coproduce.web import language, manifest, sign_in, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("manifest.webmanifest", manifest.manifest, name="manifest"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/code/", sign_in.second_step, name="sign_in_code"),
    path("login/unlock/", sign_in.unlock_request, name="sign_in_unlock_request"),
    path("login/unlock/<str:token>/", sign_in.unlock_open, name="sign_in_unlock"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("switch/", views.timebank_switch, name="timebank_switch"),
    path("language/", language.language_choose, name="language"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="web/password_change.html", success_url=reverse_lazy("web:home")
        ),
        name="password_change",
    ),
]
