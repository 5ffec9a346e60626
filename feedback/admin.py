from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import FlowEvent, SearchLog, Vote


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


@admin.action(description="選んだコメントを対応済みにする")
def mark_handled(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    done = queryset.update(handled=True)
    modeladmin.message_user(request, f"{done}件を対応済みにしました。")


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    """「この記事は役に立ちましたか？」の回答とコメント。コメントは文字として表示します（HTML にしません）。"""

    list_display = ["created_at", "page_title", "helpful", "short_comment", "handled"]
    list_filter = ["handled", "helpful", "page"]
    search_fields = ["comment"]
    date_hierarchy = "created_at"
    actions = [mark_handled]
    readonly_fields = ["page", "object_id", "helpful", "comment", "created_at"]
    fields = ["page", "object_id", "helpful", "comment", "handled", "created_at"]

    @admin.display(description="ページ")
    def page_title(self, obj: Vote) -> str:
        from .votes import PAGES

        model = PAGES.get(obj.page)
        page = model.objects.filter(pk=obj.object_id).first() if model else None
        return str(page) if page else f"{obj.get_page_display()} {obj.object_id}（削除済み）"

    @admin.display(description="コメント")
    def short_comment(self, obj: Vote) -> str:
        return obj.comment[:80] + ("…" if len(obj.comment) > 80 else "")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
