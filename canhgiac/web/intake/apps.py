from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "canhgiac.web.intake"
    label = "intake"
    verbose_name = _("Kênh tiếp nhận")
