"""The flow in the admin: questions with their options, options with their weights, and the
weights again from each cause's page (added to the content app's cause admin here, so that the
content app knows nothing of the flow)."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from reversion.admin import VersionAdmin

from articles import version
from articles.admin import ADVANCED, CauseAdmin, ContentAdmin, RemedyInline
from articles.drafts import DraftAdmin
from articles.models import Cause, Status

from . import graph as flowgraph
from . import learning
from .checks import check_flow
from .models import Option, OptionCause, Question, RemedyStat


class FlowGuard(VersionAdmin):
    """(Put after `DraftAdmin` in an admin's bases, so that a draft is checked too.)

    Refuses a save that would break the flow, with the same rules as `manage.py check`
    (`checks.check_flow`): the change is tried in a savepoint, checked, and undone if it adds a
    finding; the form then comes back with the staff's input and the findings as its errors."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        before = getattr(request, "_flow_before", None) or {str(e.msg) for e in check_flow()}
        with transaction.atomic():
            savepoint = transaction.savepoint()
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if response.status_code not in (301, 302, 303):
                return response  # the form itself refused it
            new = [e for e in check_flow() if str(e.msg) not in before]
            if not new:
                return response
            transaction.savepoint_rollback(savepoint)
        version.reset()  # nothing built from the undone change may be kept
        for _ in messages.get_messages(request):  # drop the "saved" message of the undone save
            pass
        request._flow_findings = [  # type: ignore[attr-defined]
            f"{e.msg} {e.hint or ''}".strip() for e in new
        ]
        return super().changeform_view(request, object_id, form_url, extra_context)

    def revision_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        """A restore reverts the old version before the form is saved: the findings to compare
        with are those from before that."""
        request._flow_before = {str(e.msg) for e in check_flow()}  # type: ignore[attr-defined]
        return super().revision_view(request, *args, **kwargs)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        findings: list[str] = getattr(request, "_flow_findings", None) or []
        if not findings:
            return form

        class Refused(form):  # type: ignore[valid-type, misc]
            def clean(self) -> Any:
                super().clean()
                raise forms.ValidationError(
                    ["この変更は保存していません。診断が壊れてしまうためです。", *findings]
                )

        return Refused


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
class QuestionAdmin(ContentAdmin, FlowGuard):
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
class OptionAdmin(DraftAdmin, FlowGuard):
    """An option belongs to its question: live when the question is, published with it."""

    publish_permission = "diagnosis.publish_question"

    def is_live(self, obj: Option) -> bool:
        return obj.question.status == Status.PUBLISHED

    def public_url(self, obj: Option) -> str:
        return ""  # seen only in the flow: the preview is the flow picture

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
class CauseWithWeightsAdmin(CauseAdmin, FlowGuard):
    inlines = [RemedyInline, CauseWeightInline]
    readonly_fields = ["learned_order"]
    fieldsets = [
        *CauseAdmin.fieldsets,
        ("診断の結果から学んだ対処法の順番", {"fields": ["learned_order"]}),
    ]

    @admin.display(description="スタッフの順番と学んだ順番")
    def learned_order(self, obj: Cause) -> str:
        """Both orders side by side, each remedy with its record and why it moved or not."""
        node = flowgraph.current().cause(obj.slug) if obj.pk else None
        if node is None:
            return "公開中の原因だけに表示します。"
        found = learning.places(node, learning.stats())
        staff = sorted(found, key=lambda p: p.staff)
        rows = format_html_join(
            "",
            "<tr><td>{}. {}</td><td>{}. {}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    s.staff,
                    s.remedy.title,
                    p.learned,
                    p.remedy.title,
                    f"{p.tries}回中{p.successes}回" if p.tries else "—",
                    p.reason,
                )
                for s, p in zip(staff, found, strict=True)
            ),
        )
        note = (
            ""
            if settings.REMEDY_LEARNING
            else "（REMEDY_LEARNING が無効なので、診断ではスタッフの順番を使っています）"
        )
        return format_html(
            '<table class="learned-order"><thead><tr><th scope="col">スタッフの順番</th>'
            '<th scope="col">学んだ順番</th><th scope="col">記録（学んだ順番の手順）</th>'
            '<th scope="col">理由</th></tr></thead><tbody>{}</tbody></table><p>{}</p>',
            rows,
            note,
        )


@admin.register(RemedyStat)
class RemedyStatAdmin(admin.ModelAdmin):
    """What learning reads: tries and successes per remedy and version of its text."""

    list_display = ["remedy", "cause", "version", "tries", "successes", "updated_at"]
    list_select_related = ["remedy__cause"]
    search_fields = ["remedy__title", "remedy__cause__code"]
    readonly_fields = ["remedy", "version", "tries", "successes", "updated_at"]

    @admin.display(description="原因")
    def cause(self, obj: RemedyStat) -> str:
        return str(obj.remedy.cause)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
