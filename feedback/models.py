"""What visitors do, anonymously: outcomes of the guided flow and the search log."""

from django.db import models
from django.utils import timezone


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
    cause = models.CharField(
        "原因",
        max_length=80,
        blank=True,
        help_text="この時点で先頭に示していた原因のスラッグ（結果を示す前は空）。",
    )
    version = models.CharField(
        "対処法の版",
        max_length=16,
        blank=True,
        help_text="対処法の文面の指紋。文面を変えた対処法は、以前の記録を引き継ぎません。",
    )
    answers = models.JSONField("回答", default=list, blank=True)
    created_at = models.DateTimeField("日時", auto_now_add=True, db_index=True)
    # The local date, stored: the dashboard groups by it without a date function per row.
    day = models.DateField("日付", default=timezone.localdate)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "診断の記録"
        verbose_name_plural = "診断の記録"
        indexes = [models.Index(fields=["day", "kind"], name="flowevent_day_kind")]
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


class Vote(models.Model):
    """「この記事は役に立ちましたか？」: one per visitor and page (a signed cookie says which pages
    a browser has voted on; nothing here says who), with an optional comment, stripped of
    e-mail addresses, phone numbers and codes before it is stored."""

    class Page(models.TextChoices):
        CAUSE = "cause", "原因"
        FAQ = "faq", "よくある質問"
        TIP = "tip", "予防のヒント"

    page = models.CharField("ページの種類", max_length=10, choices=Page.choices)
    object_id = models.PositiveIntegerField("ページの ID")
    helpful = models.BooleanField("役に立った")
    comment = models.TextField("コメント", max_length=1000, blank=True)
    handled = models.BooleanField("対応済み", default=False)
    created_at = models.DateTimeField("日時", auto_now_add=True, db_index=True)
    day = models.DateField("日付", default=timezone.localdate, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "記事の評価"
        verbose_name_plural = "記事の評価"
        indexes = [
            models.Index(fields=["page", "object_id"], name="vote_page"),
            # the comments staff have still to read: few among many votes
            models.Index(
                fields=["day"],
                condition=models.Q(handled=False) & ~models.Q(comment=""),
                name="vote_open_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_page_display()} {self.object_id}: {'はい' if self.helpful else 'いいえ'}"


class DailyFlowCount(models.Model):
    """Flow events older than `EVENT_RETENTION_DAYS`, rolled up: how many of each kind per day,
    service, cause, remedy and remedy version (`rollup_events`). The dashboard adds these to
    the raw events, so its totals do not change when events are rolled up."""

    day = models.DateField("日付", db_index=True)
    kind = models.CharField("種類", max_length=10, choices=FlowEvent.Kind.choices)
    service = models.CharField("サービス", max_length=60, blank=True)
    cause = models.CharField("原因", max_length=80, blank=True)
    key = models.CharField("対象", max_length=80, blank=True)
    version = models.CharField("対処法の版", max_length=16, blank=True)
    count = models.PositiveIntegerField("件数", default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = "診断の記録（日ごとの集計）"
        verbose_name_plural = "診断の記録（日ごとの集計）"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "kind", "service", "cause", "key", "version"],
                name="unique_daily_flow_count",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.count}"


class DailyVoteCount(models.Model):
    """Votes older than `EVENT_RETENTION_DAYS`, rolled up per day and page (comments that staff
    have handled go; comments not yet handled are never rolled up)."""

    day = models.DateField("日付", db_index=True)
    page = models.CharField("ページの種類", max_length=10, choices=Vote.Page.choices)
    object_id = models.PositiveIntegerField("ページの ID")
    helpful = models.PositiveIntegerField("はい", default=0)
    unhelpful = models.PositiveIntegerField("いいえ", default=0)
    comments = models.PositiveIntegerField("コメント", default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = "記事の評価（日ごとの集計）"
        verbose_name_plural = "記事の評価（日ごとの集計）"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "page", "object_id"], name="unique_daily_vote_count"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.page} {self.object_id}"
