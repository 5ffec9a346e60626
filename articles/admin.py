from typing import Any, ClassVar

import reversion
from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import signals, version
from . import versions as versions_diff
from .content import loaded
from .drafts import DraftAdmin, publish_all
from .forms import StaffText
from .models import (
    FAQ,
    Cause,
    Draft,
    OldSlug,
    PreventionTip,
    Remedy,
    Service,
    Status,
    SupportChannel,
    Tombstone,
)
from .preview import MarkdownPreviewAdmin, MarkdownPreviewInline

# The history of a cause holds its remedies. The weights pointing to it (edited on its page too)
# are recorded when they change but not followed: restoring an old version of a cause
# (django-reversion deletes what its followed relations gained since) must never delete the
# flow's weights added since. Registered here, before the admins would register it themselves.
reversion.register(Remedy)
reversion.register(Cause, follow=["remedies"])


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


class ContentAdmin(DraftAdmin, MarkdownPreviewAdmin, VersionAdmin):
    """Every save in the admin is a revision (django-reversion): who, when, what, with the
    remedies or options shown inline; 「履歴」 lists them and restores one as a new revision.
    A change to a published record can wait as a draft (`drafts.DraftAdmin`).

    Roles (`helpcenter.roles`): editors write drafts; publishers publish, unpublish and restore.
    """

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("status")  # a new record stays a draft; a published one stays as it is
        return fields

    object_history_template = "admin/versions_history.html"

    def get_urls(self) -> list[Any]:
        opts = self.opts
        compare = path(
            "<path:object_id>/history/compare/",
            self.admin_site.admin_view(self.compare_view),
            name=f"{opts.app_label}_{opts.model_name}_compare",
        )
        return [compare, *super().get_urls()]

    def _versions(self, object_id: str) -> list[Version]:
        return list(
            Version.objects.get_for_object_reference(self.model, object_id).select_related(
                "revision", "revision__user"
            )
        )

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> Any:
        opts = self.opts
        versions = self._versions(object_id)
        compare = reverse(f"admin:{opts.app_label}_{opts.model_name}_compare", args=[object_id])
        rows = [
            {
                "version": v,
                "restore": reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_revision", args=[object_id, v.pk]
                ),
                "compare": f"{compare}?{urlencode({'from': older.pk, 'to': v.pk})}"
                if (older := next(iter(versions[i + 1 :]), None))
                else "",
            }
            for i, v in enumerate(versions)
        ]
        context = {
            **(extra_context or {}),
            "rows": rows,
            "can_restore": self.has_publish_permission(request),
        }
        return super().history_view(request, object_id, context)

    def compare_view(self, request: HttpRequest, object_id: str) -> Any:
        """Two versions side by side, as lines removed and added, field by field."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        versions = {str(v.pk): v for v in self._versions(object_id)}
        ordered = list(versions.values())
        if len(ordered) < 2:
            raise Http404
        new = versions.get(request.GET.get("to", ""), ordered[0])
        old = versions.get(request.GET.get("from", ""), ordered[1])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{self.opts.verbose_name}の版の比較",
            "object_repr": new.object_repr,
            "object_id": object_id,
            "versions": ordered,
            "old": old,
            "new": new,
            "changes": versions_diff.difference(self.model, old, new),
        }
        return TemplateResponse(request, "admin/versions_compare.html", context)

    def revision_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return super().revision_view(request, *args, **kwargs)

    def recover_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return super().recover_view(request, *args, **kwargs)

    actions = [publish, unpublish]
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.TextField: {"form_class": StaffText},
    }
    list_filter = ["status", "services"]
    list_editable = ["order"]
    save_on_top = True


@admin.register(Service)
class ServiceAdmin(VersionAdmin):
    list_display = ["name", "short_name", "slug", "order"]
    list_editable = ["order"]


class RemedyInline(MarkdownPreviewInline, admin.StackedInline):
    model = Remedy
    formfield_overrides = {models.TextField: {"form_class": StaffText}}
    preview_fields = ["body"]
    extra = 0
    fields = ["order", "title", "kind", "pinned", "body", "first_when"]


@admin.register(Cause)
class CauseAdmin(ContentAdmin):
    list_display = ["code", "title", "status", "urgent", "remedy_count", "order"]
    list_display_links = ["code", "title"]
    list_filter = ["status", "urgent", "services"]
    search_fields = ["code", "title", "summary", "body"]
    filter_horizontal = ["services"]
    inlines: ClassVar[list[type[InlineModelAdmin]]] = [RemedyInline]
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


@admin.action(description="選んだ下書きをまとめて公開する", permissions=["publish"])
def publish_drafts(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    drafts = list(queryset.select_related("content_type", "author"))
    refused = publish_all(request, drafts)
    if refused:
        modeladmin.message_user(
            request, "どれも公開していません。" + " ".join(refused), messages.ERROR
        )
    else:
        modeladmin.message_user(request, f"{len(drafts)}件の下書きをまとめて公開しました。")


def _codenames(user: Any) -> set[str]:
    return {name.split(".", 1)[1] for name in user.get_all_permissions()}


@admin.register(Draft)
class DraftListAdmin(admin.ModelAdmin):
    """Every draft waiting to be published, linked to its record's form (where it is edited,
    previewed, compared and published one by one); publishers can publish several at once."""

    list_display = ["target_link", "content_type", "author", "updated_at"]
    list_display_links = None  # the link goes to the record's own form, where drafts are handled
    list_filter = ["content_type"]
    actions = [publish_drafts]
    fields = ["content_type", "object_repr", "author", "updated_at"]
    readonly_fields = ["content_type", "object_repr", "author", "updated_at"]

    @admin.display(description="対象")
    def target_link(self, obj: Draft) -> str:
        model = obj.content_type.model_class()
        if model is None or obj.target() is None:
            return f"{obj.object_repr}（元のレコードは削除済み）"
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.object_id])
        return format_html('<a href="{}">{}</a>', url, obj.object_repr)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_publish_permission(self, request: Any) -> bool:
        """Publishers (each draft is checked against its own model's permission too)."""
        return any(p.startswith("publish_") for p in _codenames(request.user))
