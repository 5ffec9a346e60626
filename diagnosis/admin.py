"""The flow in the admin: questions with their options, options with their weights, and the
weights again from each cause's page (added to the content app's cause admin here, so that the
content app knows nothing of the flow)."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from articles.admin import ADVANCED, CauseAdmin, ContentAdmin
from articles.models import Cause

from .models import Option, OptionCause, Question


class CauseWeightInline(admin.TabularInline):
    model = OptionCause
    fk_name = "cause"
    extra = 0
    fields = ["option", "weight", "decisive"]
    autocomplete_fields = ["option"]
    verbose_name = "この原因を指す回答"
    verbose_name_plural = "この原因を指す回答（診断での重み）"


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


admin.site.unregister(Cause)


@admin.register(Cause)
class CauseWithWeightsAdmin(CauseAdmin):
    inlines = [*CauseAdmin.inlines, CauseWeightInline]
