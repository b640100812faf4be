from django.apps import AppConfig


class Config(AppConfig):
    name = "canhgiac.web.core"
    label = "core"

    def ready(self) -> None:
        # Registers the deployment checks (`canhgiac manage check --deploy`).
        from canhgiac.web.core import checks  # noqa: F401
