"""What visitors do, anonymously: outcomes of the guided flow and the search log."""

from django.db import models


class FlowEvent(models.Model):
    """An anonymous outcome of the guided flow: no IP, no user, only a random flow id."""

    class Kind(models.TextChoices):
        STARTED = "started", "開始"
        ANSWERED = "answered", "回答を完了"
        TRIED = "tried", "対処法を試した（解決せず）"
        DONE = "done", "行うことを済ませた"
        RESOLVED = "resolved", "解決した"
        ESCALATED = "escalated", "問い合わせへ進んだ"

    flow_id = models.CharField("フローID", max_length=32, db_index=True)
    kind = models.CharField("種類", max_length=10, choices=Kind.choices)
    key = models.CharField(
        "対象",
        max_length=80,
        blank=True,
        help_text="対処法の ID など。同じ出来事を二重に数えないため。",
    )
    service = models.CharField("サービス", max_length=60, blank=True)
    answers = models.JSONField("回答", default=list, blank=True)
    created_at = models.DateTimeField("日時", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "診断の記録"
        verbose_name_plural = "診断の記録"
        constraints = [
            models.UniqueConstraint(fields=["flow_id", "kind", "key"], name="unique_flow_event"),
        ]

    def __str__(self) -> str:
        return f"{self.flow_id} {self.get_kind_display()} {self.key}"


class SearchLog(models.Model):
    """What people searched for, counted per day: the query text only, nothing about who."""

    day = models.DateField("日付", db_index=True)
    query = models.CharField("検索語", max_length=200)
    searches = models.PositiveIntegerField("検索回数", default=0)
    zero_results = models.PositiveIntegerField("結果0件の回数", default=0)
    clicks = models.PositiveIntegerField("結果のクリック数", default=0)

    class Meta:
        ordering = ["-day", "-searches"]
        verbose_name = "検索ログ"
        verbose_name_plural = "検索ログ"
        constraints = [models.UniqueConstraint(fields=["day", "query"], name="unique_search_log")]

    def __str__(self) -> str:
        return f"{self.day} {self.query}"
