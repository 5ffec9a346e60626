from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class HelpcenterConfig(AppConfig):
    """The project itself, as an app only to register its system checks."""

    name = "helpcenter"
    default = True
    verbose_name = "ログインヘルプ"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks, roles

        checks.register()
        # After each app's permissions are created (the last call sees them all); idempotent.
        post_migrate.connect(roles.ensure_roles, dispatch_uid="helpcenter-roles")


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the staff site that asks for a second factor (`admin_site.py`)."""

    default = False  # named in INSTALLED_APPS; `helpcenter` itself is HelpcenterConfig
    default_site = "helpcenter.admin_site.StaffAdminSite"
