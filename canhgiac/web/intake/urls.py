from django.urls import path

from canhgiac.web.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.home, name="home"),
    path("gui/<slug:slug>/", views.submit, name="submit"),
    path("gui/da-nhan/<str:reference>/", views.receipt, name="receipt"),
    path("theo-doi/", views.followup_login, name="followup"),
    path("theo-doi/thoat/", views.followup_logout, name="followup_logout"),
    path("theo-doi/<str:reference>/", views.followup_case, name="followup_case"),
]
