from django.urls import path

from canhgiac.web.channels.zalo import views

app_name = "zalo"
urlpatterns = [path("<slug:slug>/webhook", views.webhook, name="webhook")]
