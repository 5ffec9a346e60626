from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from reversion.admin import VersionAdmin

from . import signals, version
from .content import loaded
from .models import (
    FAQ,
    Cause,
    OldSlug,
    PreventionTip,
    Remedy,
    Service,
    Status,
    SupportChannel,
    Tombstone,
)


def _set_status(request: HttpRequest, queryset: QuerySet, status: str) -> None:
    """All or nothing, and one content-version bump (every page changes at once)."""
    with transaction.atomic(), signals.paused():
        for obj in queryset:
            obj.status = status
            obj.save()
    loaded.send(sender=type(queryset.model), report=None)  # the search index, rebuilt once
    version.bump()


@admin.action(description="選んだものを公開する", permissions=["publish"])
def publish(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _set_status(request, queryset, Status.PUBLISHED)


@admin.action(description="選んだものを下書きに戻す", permissions=["publish"])
def unpublish(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _set_status(request, queryset, Status.DRAFT)


ADVANCED: Any = ("詳細", {"classes": ["collapse"], "fields": ["order"]})


SOURCE: Any = ("出典", {"fields": ["source_url", "checked_on"]})


class ContentAdmin(VersionAdmin):
    """Every save in the admin is a revision (django-reversion): who, when, what, with the
    remedies or options shown inline; 「履歴」 lists them and restores one as a new revision."""

    # Roles (`helpcenter.roles`): editors write drafts; publishers publish, unpublish and restore.
    def has_publish_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("status")  # a new record stays a draft; a published one stays as it is
        return fields

    def revision_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return super().revision_view(request, *args, **kwargs)

    def recover_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return super().recover_view(request, *args, **kwargs)

    actions = [publish, unpublish]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["status", "services"]
    list_editable = ["order"]
    save_on_top = True


@admin.register(Service)
class ServiceAdmin(VersionAdmin):
    list_display = ["name", "short_name", "slug", "order"]
    list_editable = ["order"]


class RemedyInline(admin.StackedInline):
    model = Remedy
    extra = 0
    fields = ["order", "title", "kind", "body", "first_when"]


@admin.register(Cause)
class CauseAdmin(ContentAdmin):
    list_display = ["code", "title", "status", "urgent", "remedy_count", "order"]
    list_display_links = ["code", "title"]
    list_filter = ["status", "urgent", "services"]
    search_fields = ["code", "title", "summary", "body"]
    filter_horizontal = ["services"]
    inlines: list[type[admin.options.InlineModelAdmin]] = [RemedyInline]
    fieldsets = [
        (None, {"fields": ["code", "title", "slug", "summary", "status", "services"]}),
        ("緊急の原因", {"fields": ["urgent", "warning"]}),
        ("本文", {"fields": ["body"]}),
        SOURCE,
        ADVANCED,
    ]

    @admin.display(description="対処法の数")
    def remedy_count(self, obj: Cause) -> int:
        return obj.remedies.count()


@admin.register(FAQ)
class FAQAdmin(ContentAdmin):
    list_display = ["question", "status", "featured", "order"]
    list_filter = ["status", "featured", "services"]
    search_fields = ["question", "answer"]
    filter_horizontal = ["services", "causes"]
    fieldsets = [
        (None, {"fields": ["question", "slug", "answer", "status", "featured"]}),
        ("関連", {"fields": ["services", "causes"]}),
        SOURCE,
        ADVANCED,
    ]


@admin.register(PreventionTip)
class PreventionTipAdmin(ContentAdmin):
    list_display = ["title", "status", "order"]
    search_fields = ["title", "summary", "body"]
    filter_horizontal = ["services", "causes"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "status"]}),
        ("関連", {"fields": ["services", "causes"]}),
        ADVANCED,
    ]


@admin.register(SupportChannel)
class SupportChannelAdmin(ContentAdmin):
    # An address typed without a scheme is taken as https (Django 6's default, asked for now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "service", "methods", "status", "order"]
    list_filter = ["status", "service"]
    search_fields = ["title", "summary", "body"]
    fieldsets = [
        (
            None,
            {"fields": ["service", "title", "slug", "summary", "methods", "url", "body", "status"]},
        ),
        ADVANCED,
    ]


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin):
    """What staff deleted. Deleting an entry here lets the next load_content bring it back."""

    list_display = ["model", "slug", "deleted_at"]
    list_filter = ["model"]
    readonly_fields = ["model", "slug", "deleted_at"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(OldSlug)
class OldSlugAdmin(admin.ModelAdmin):
    """Old URLs that redirect (301) to the renamed record's page."""

    list_display = ["model", "slug", "object_id", "changed_at"]
    list_filter = ["model"]
    readonly_fields = ["model", "slug", "object_id", "changed_at"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
