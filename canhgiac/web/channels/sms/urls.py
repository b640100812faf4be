from django.urls import path

from canhgiac.web.channels.sms import views

app_name = "sms"
urlpatterns = [path("<slug:slug>/webhook", views.webhook, name="webhook")]
