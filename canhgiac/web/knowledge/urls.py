from django.urls import path

from canhgiac.web.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("new/", views.entry_edit, name="new"),
    path("<int:entry_id>/", views.entry_edit, name="edit"),
    path("export.<str:fmt>", views.entry_export, name="export"),
    path("import/", views.entry_import, name="import"),
    path("unanswered/", views.unanswered, name="unanswered"),
    path("warnings/", views.warning_list, name="warnings"),
    path("warnings/new/", views.warning_edit, name="warning_new"),
    path("warnings/<int:warning_id>/", views.warning_edit, name="warning_edit"),
]
