from django.apps import AppConfig


class Config(AppConfig):
    name = "canhgiac.web.meetings"
    label = "meetings"
