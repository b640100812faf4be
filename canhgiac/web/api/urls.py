from django.urls import path

from canhgiac.web.api import views

app_name = "api"
urlpatterns = [
    path("openapi.json", views.openapi, name="openapi"),
    path("intake", views.intake, name="intake"),
    path("check", views.check, name="check"),
    path("followup", views.followup, name="followup"),
    path("followup/messages", views.followup_message, name="followup_message"),
    path("cases", views.case_list, name="cases"),
    path("cases/<str:reference>", views.case_get, name="case"),
    path("cases/<str:reference>/messages", views.case_reply, name="case_reply"),
    path("cases/<str:reference>/status", views.case_status, name="case_status"),
    path("cases/<str:reference>/assign", views.case_assign, name="case_assign"),
]
