from django.apps import AppConfig


class HelpcenterConfig(AppConfig):
    """The project itself, as an app only to register its system checks."""

    name = "helpcenter"
    verbose_name = "ログインヘルプ"

    def ready(self) -> None:
        from . import checks

        checks.register()
