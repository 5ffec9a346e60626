from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import (
    FAQ,
    Cause,
    FlowEvent,
    Option,
    OptionCause,
    PreventionTip,
    Question,
    Remedy,
    SearchLog,
    Service,
    Status,
    SupportChannel,
    Synonym,
)


@admin.action(description="選んだものを公開する")
def publish(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    for obj in queryset:
        obj.status = Status.PUBLISHED
        obj.save()


@admin.action(description="選んだものを下書きに戻す")
def unpublish(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    for obj in queryset:
        obj.status = Status.DRAFT
        obj.save()


ADVANCED: Any = ("詳細", {"classes": ["collapse"], "fields": ["order"]})


class ContentAdmin(admin.ModelAdmin):
    actions = [publish, unpublish]
    list_filter = ["status", "services"]
    list_editable = ["order"]
    save_on_top = True


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "slug", "order"]
    list_editable = ["order"]


class RemedyInline(admin.StackedInline):
    model = Remedy
    extra = 0
    fields = ["order", "title", "body"]


class CauseWeightInline(admin.TabularInline):
    model = OptionCause
    fk_name = "cause"
    extra = 0
    fields = ["option", "weight", "decisive"]
    autocomplete_fields = ["option"]
    verbose_name = "この原因を指す回答"
    verbose_name_plural = "この原因を指す回答（診断での重み）"


@admin.register(Cause)
class CauseAdmin(ContentAdmin):
    list_display = ["code", "title", "status", "urgent", "remedy_count", "order"]
    list_display_links = ["code", "title"]
    list_filter = ["status", "urgent", "services"]
    search_fields = ["code", "title", "summary", "body"]
    filter_horizontal = ["services"]
    inlines = [RemedyInline, CauseWeightInline]
    fieldsets = [
        (None, {"fields": ["code", "title", "slug", "summary", "status", "services"]}),
        ("緊急の原因", {"fields": ["urgent", "warning"]}),
        ("本文", {"fields": ["body"]}),
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


# --- The guided flow ---------------------------------------------------------------------------


class OptionInline(admin.StackedInline):
    model = Option
    extra = 0
    fields = [("label", "slug", "order"), "hint", ("service", "neutral"), "services"]
    filter_horizontal = ["services"]
    show_change_link = True


@admin.register(Question)
class QuestionAdmin(ContentAdmin):
    list_display = ["text", "kind", "status", "condition", "order"]
    list_filter = ["status", "kind", "services"]
    search_fields = ["text", "help", "slug"]
    filter_horizontal = ["services", "after"]
    inlines = [OptionInline]
    fieldsets = [
        (None, {"fields": ["text", "slug", "kind", "help", "status"]}),
        ("表示する条件", {"fields": ["services", "after"]}),
        ADVANCED,
    ]

    @admin.display(description="表示する条件")
    def condition(self, obj: Question) -> str:
        labels = [o.label for o in obj.after.all()]
        return "、".join(labels) if labels else "いつも"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("after")


class OptionCauseInline(admin.TabularInline):
    model = OptionCause
    fk_name = "option"
    extra = 1
    fields = ["cause", "weight", "decisive"]


@admin.register(Option)
class OptionAdmin(admin.ModelAdmin):
    list_display = ["label", "question", "slug", "weights_summary", "neutral"]
    list_filter = ["question", "neutral"]
    search_fields = ["label", "slug", "hint"]
    list_select_related = ["question"]
    filter_horizontal = ["services"]
    inlines = [OptionCauseInline]
    fields = ["question", "label", "slug", "hint", "order", "service", "services", "neutral"]

    @admin.display(description="原因への重み")
    def weights_summary(self, obj: Option) -> str:
        parts = [
            f"{w.cause.code}{w.weight:+d}{'（最優先）' if w.decisive else ''}"
            for w in obj.weights.all()
        ]
        return "、".join(parts) or "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("weights__cause")


@admin.register(FlowEvent)
class FlowEventAdmin(admin.ModelAdmin):
    """Read-only: outcomes are written by the flow, never by hand."""

    list_display = ["created_at", "kind", "service", "key", "flow_id"]
    list_filter = ["kind", "service"]
    search_fields = ["flow_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# --- Search -------------------------------------------------------------------------------------


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["__str__", "note", "order"]
    search_fields = ["terms", "note", "slug"]
    fields = ["terms", "slug", "note", "order"]


class NeedsAttention(admin.SimpleListFilter):
    title = "対応が必要な検索"
    parameter_name = "attention"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("zero", "結果が0件"),
            ("low", "クリックが少ない（検索3回以上でクリック率20%未満）"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "zero":
            return queryset.filter(zero_results__gt=0)
        if self.value() == "low":
            return queryset.filter(searches__gte=3).extra(where=["clicks * 5 < searches"])
        return queryset


@admin.register(SearchLog)
class SearchLogAdmin(admin.ModelAdmin):
    """What people searched for and did not find: add a synonym or write the missing content."""

    list_display = ["query", "day", "searches", "zero_results", "clicks", "click_rate"]
    list_filter = [NeedsAttention, "day"]
    search_fields = ["query"]
    date_hierarchy = "day"
    ordering = ["-day", "-zero_results", "-searches"]

    @admin.display(description="クリック率")
    def click_rate(self, obj: SearchLog) -> str:
        return f"{obj.clicks / obj.searches:.0%}" if obj.searches else "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
