from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "canhgiac.web.indicators"
    label = "indicators"
    verbose_name = _("Chỉ dấu lừa đảo")
