from django.contrib import admin
from django.db.models import Case, CharField, OuterRef, QuerySet, Subquery, Value, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from .models import FlowEvent, SearchLog, Vote
from .votes import PAGES


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


@admin.action(description="対応済みにする")
def mark_handled(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    done = queryset.update(handled=True)
    modeladmin.message_user(request, f"{done}件を対応済みにしました。")


class HasComment(admin.SimpleListFilter):
    title = "コメント"
    parameter_name = "comment"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("waiting", "未対応のコメント"), ("yes", "コメントあり"), ("no", "コメントなし")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "waiting":
            return queryset.exclude(comment="").filter(handled=False)
        if self.value() == "yes":
            return queryset.exclude(comment="")
        if self.value() == "no":
            return queryset.filter(comment="")
        return queryset


def _of_page(field: dict[str, str]) -> Case:
    """One column of the page voted on (its title, its slug), whatever its kind: no query per row."""
    return Case(
        *(
            When(
                page=kind,
                then=Subquery(
                    model.objects.filter(pk=OuterRef("object_id")).values(field[kind])[:1]
                ),
            )
            for kind, model in PAGES.items()
        ),
        default=Value(""),
        output_field=CharField(),
    )


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    """「この記事は役に立ちましたか？」の回答とコメント。コメントは文字として表示します（HTML にしません）。
    訪問者が書いたものなので、スタッフは変えられません（対応済みの印だけを付けられます）。"""

    list_display = ["created_at", "page_link", "helpful", "short_comment", "handled"]
    list_filter = [HasComment, "handled", "helpful", "page"]
    search_fields = ["comment"]
    date_hierarchy = "created_at"
    actions = [mark_handled]
    readonly_fields = ["page_link", "page", "object_id", "helpful", "comment", "created_at"]
    fields = ["page_link", "page", "object_id", "helpful", "comment", "handled", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                page_title=_of_page({"cause": "title", "faq": "question", "tip": "title"}),
                page_slug=_of_page({"cause": "slug", "faq": "slug", "tip": "slug"}),
            )
        )

    @admin.display(description="ページ")
    def page_link(self, obj: Vote) -> str:
        title, slug = getattr(obj, "page_title", ""), getattr(obj, "page_slug", "")
        if not slug:
            return f"{obj.get_page_display()} {obj.object_id}（削除済み）"
        url = reverse(f"articles:{obj.page}", args=[slug])
        return format_html('<a href="{}">{}</a>（{}）', url, title, obj.get_page_display())

    @admin.display(description="コメント")
    def short_comment(self, obj: Vote) -> str:
        return obj.comment[:80] + ("…" if len(obj.comment) > 80 else "")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
