from django.urls import path

from canhgiac.web.bulletins import views

app_name = "bulletins"
urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("new/", views.bulletin_edit, name="new"),
    path("<int:bulletin_id>/", views.bulletin_edit, name="edit"),
    path("<int:bulletin_id>/send/", views.bulletin_send, name="send"),
    path("<int:bulletin_id>/image.jpg", views.bulletin_image, name="image"),
]
