from django.urls import path

from canhgiac.web.accounts import views

# Included at the site's root: sign-in and the one-time password page live under
# /accounts/ (reached without a session); managing people and one's own account are
# console pages, under /console/ with the rest, where the access matrix test walks them.
app_name = "accounts"
urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password/<str:token>/", views.set_password, name="set_password"),
    path("console/officers/", views.officers, name="officers"),
    path("console/officers/new/", views.officer_new, name="officer_new"),
    path("console/officers/<int:user_id>/", views.officer, name="officer"),
    path("console/officers/<int:user_id>/action/", views.officer_action, name="officer_action"),
    path("console/me/", views.me, name="me"),
    path("console/me/zalo/", views.me_zalo, name="me_zalo"),
]
