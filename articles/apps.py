from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "ヘルプ記事"

    def ready(self) -> None:
        from . import moves, signals

        signals.connect()
        moves.connect()
