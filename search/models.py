"""What search reads: the staff's synonyms and the index of published content."""

from django.db import models

from articles.models import Content


class Synonym(Content):
    """Words people type for the same thing: a query for one finds the others."""

    terms = models.TextField(
        "同じ意味の言葉",
        help_text="1行に1語。どれで検索しても、ほかの言葉を含む記事も見つかります（例: ログイン / サインイン）。",
    )
    note = models.CharField("メモ", max_length=200, blank=True)

    text_fields = ("terms", "note")

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "検索の同義語"
        verbose_name_plural = "検索の同義語"

    def __str__(self) -> str:
        return " / ".join(self.term_list[:4])

    @property
    def term_list(self) -> list[str]:
        parts = self.terms.replace("、", "\n").replace(",", "\n").replace("/", "\n").splitlines()
        return [p.strip() for p in parts if p.strip()]


class SearchEntry(models.Model):
    """One searchable document (a published cause with its remedies, an FAQ, a tip or a contact
    page), kept in
    step with the content by signals. `norm_*` hold normalised text (see `search.normalise`); `grams_*`
    the one- and two-character pieces that PostgreSQL indexes for very short queries; on SQLite
    an FTS5 table (`search_fts`, rowid = id) indexes the same text."""

    class Kind(models.TextChoices):
        CAUSE = "cause", "原因"
        FAQ = "faq", "FAQ"
        TIP = "tip", "予防のヒント"
        CONTACT = "contact", "問い合わせ窓口"

    kind = models.CharField("種類", max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField("元の ID")
    url = models.CharField("URL", max_length=300)
    title = models.CharField("見出し", max_length=300)
    summary = models.TextField("要約", blank=True)
    body = models.TextField("本文（プレーンテキスト）", blank=True)
    norm_title = models.TextField(blank=True)
    norm_summary = models.TextField(blank=True)
    norm_body = models.TextField(blank=True)
    grams_title = models.TextField(blank=True)
    grams_summary = models.TextField(blank=True)
    grams_body = models.TextField(blank=True)
    priority = models.SmallIntegerField("優先度", default=0)

    class Meta:
        verbose_name = "検索の索引"
        verbose_name_plural = "検索の索引"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"
