from django.urls import path

from canhgiac.web.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_edit, name="new"),
    path("topics/", views.topic_list, name="topics"),
    path("<int:session_id>/", views.session_detail, name="detail"),
    path("<int:session_id>/edit/", views.session_edit, name="edit"),
    path("<int:session_id>/cancel/", views.session_cancel, name="cancel"),
    path("<int:session_id>/qr/", views.session_qr, name="qr"),
    path("<int:session_id>/qr/new/", views.session_new_link, name="new_link"),
    path("<int:session_id>/qr.<str:kind>", views.session_qr_image, name="qr_image"),
    path("<int:session_id>/material/", views.session_material, name="material"),
]
