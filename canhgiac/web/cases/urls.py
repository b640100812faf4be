from django.urls import path

from canhgiac.web.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("case/<str:reference>/", views.case_detail, name="case"),
    path("case/<str:reference>/action/", views.case_action, name="action"),
    path("attachment/<int:attachment_id>/", views.attachment, name="attachment"),
    path("audit/", views.audit_log, name="audit"),
    path("live.json", views.live, name="live"),
    path("map/", views.case_map, name="map"),
    path("map/points.json", views.map_points, name="map_points"),
]
