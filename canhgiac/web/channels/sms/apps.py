from django.apps import AppConfig


class Config(AppConfig):
    name = "canhgiac.web.channels.sms"
    label = "sms"
    verbose_name = "SMS"
