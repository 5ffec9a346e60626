from django.apps import AppConfig


class DiagnosisConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "diagnosis"
    verbose_name = "診断フロー"

    def ready(self) -> None:
        from articles import content, signals

        from . import checks
        from .content import FLOW
        from .models import Option, OptionCause, Question

        content.register(FLOW)
        signals.watch(Question, Option, OptionCause)
        checks.register()
