from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"
    verbose_name = "検索"

    def ready(self) -> None:
        from articles import content

        from . import checks, signals
        from .content import SYNONYMS

        content.register(SYNONYMS)
        signals.connect()
        checks.register()
