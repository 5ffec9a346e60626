from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class HelpcenterConfig(AppConfig):
    """The project itself, as an app only to register its system checks."""

    name = "helpcenter"
    default = True
    verbose_name = "ログインヘルプ"

    def ready(self) -> None:
        from . import checks

        checks.register()


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the staff site that asks for a second factor (`admin_site.py`)."""

    default = False  # named in INSTALLED_APPS; `helpcenter` itself is HelpcenterConfig
    default_site = "helpcenter.admin_site.StaffAdminSite"
