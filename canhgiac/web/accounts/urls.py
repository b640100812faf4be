from django.urls import path

from canhgiac.web.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("officers/", views.officers, name="officers"),
    path("officers/new/", views.officer_new, name="officer_new"),
    path("officers/<int:user_id>/", views.officer, name="officer"),
    path("officers/<int:user_id>/action/", views.officer_action, name="officer_action"),
    path("password/<str:token>/", views.set_password, name="set_password"),
    path("me/", views.me, name="me"),
    path("me/zalo/", views.me_zalo, name="me_zalo"),
]
