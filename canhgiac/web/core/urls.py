from django.urls import path

from canhgiac.web.core import views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("language", views.set_language, name="language"),
]
