from django.apps import AppConfig


class Config(AppConfig):
    name = "canhgiac.web.channels.zalo"
    label = "zalo"
