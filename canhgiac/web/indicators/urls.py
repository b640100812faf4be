from django.urls import path

from canhgiac.web.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("<int:indicator_id>/status/", views.indicator_status, name="status"),
    path("import/", views.indicator_import, name="import"),
]
