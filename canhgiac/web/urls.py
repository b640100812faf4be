from django.urls import include, path

from canhgiac.web.bulletins import views as bulletin_views
from canhgiac.web.core.admin_site import site as admin_site
from canhgiac.web.meetings import views as meeting_views

urlpatterns = [
    path("admin/", admin_site.urls),
    path("", include("canhgiac.web.core.urls")),
    path("", include("canhgiac.web.intake.urls")),
    path("", include("canhgiac.web.accounts.urls")),
    path("console/", include("canhgiac.web.cases.urls")),
    path("console/indicators/", include("canhgiac.web.indicators.urls")),
    path("console/knowledge/", include("canhgiac.web.knowledge.urls")),
    path("console/reports/", include("canhgiac.web.reports.urls")),
    path("console/bulletins/", include("canhgiac.web.bulletins.urls")),
    path("console/meetings/", include("canhgiac.web.meetings.urls")),
    path("co-mat/<str:token>/", meeting_views.checkin, name="meetings_checkin"),
    path("ban-tin/<slug:slug>/", bulletin_views.public_list, name="bulletins_public"),
    path("ban-tin/<slug:slug>/feed.xml", bulletin_views.public_feed, name="bulletins_feed"),
    path("ban-tin/anh/<int:bulletin_id>.jpg", bulletin_views.public_image, name="bulletin_image"),
    path("ban-tin/dang-ky/<str:token>/", bulletin_views.subscription, name="bulletin_subscription"),
    path("api/v1/", include("canhgiac.web.api.urls")),
    path("channels/zalo/", include("canhgiac.web.channels.zalo.urls")),
    path("channels/sms/", include("canhgiac.web.channels.sms.urls")),
]

handler400 = "canhgiac.web.core.views.bad_request"
handler500 = "canhgiac.web.core.views.server_error"
