"""The help center's content: services, causes with their remedies, FAQs, prevention tips and
support channels. Markdown is rendered once on save into sanitised HTML (`*_html`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from . import markup


class Status(models.TextChoices):
    DRAFT = "draft", "下書き"
    PUBLISHED = "published", "公開"


def normalise_text(value: str) -> str:
    """Text as staff and fixtures both mean it: LF newlines, no surrounding blank space."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


# --- URLs ----------------------------------------------------------------------------------------

# `<slug:slug>` accepts these (Django's SlugConverter); reverse() leaves them as they are.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_MARKER = "slug-placeholder-0"
_URL_PARTS: dict[tuple[str, str, object], tuple[str, str] | None] = {}


def slug_urls(viewname: str) -> Callable[[str], str]:
    """A function giving `reverse(viewname, args=[slug])` for any slug, without reverse()'s cost
    for each item of a list.

    reverse() stays the only source of truth: the first use of a view name (per URLconf and
    script prefix) reverses it with a placeholder slug and keeps what comes before and after
    the placeholder; the function puts each slug between the two. A slug that reverse() might
    quote or refuse goes through reverse() itself. (The site's URL patterns are not translated,
    so the active language does not change them.)
    """
    urlconf = get_urlconf()
    key = (viewname, get_script_prefix(), urlconf or settings.ROOT_URLCONF)
    try:
        parts = _URL_PARTS[key]
    except KeyError:
        parts = _URL_PARTS[key] = _around_slug(viewname, urlconf)
    if parts is None:
        return lambda slug: reverse(viewname, urlconf=urlconf, args=[slug])
    head, tail = parts
    is_plain = _SLUG.fullmatch

    def url(slug: str) -> str:
        if is_plain(slug):
            return head + slug + tail
        return reverse(viewname, urlconf=urlconf, args=[slug])

    return url


def slug_url(viewname: str, slug: str) -> str:
    """`reverse(viewname, args=[slug])`, built as `slug_urls` does."""
    return slug_urls(viewname)(slug)


def _around_slug(viewname: str, urlconf: str | None) -> tuple[str, str] | None:
    try:
        url = reverse(viewname, urlconf=urlconf, args=[_MARKER])
    except NoReverseMatch:
        return None
    head, found, tail = url.partition(_MARKER)
    return (head, tail) if found and _MARKER not in tail else None


class ContentQuerySet(models.QuerySet):
    def published(self) -> ContentQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def for_service(self, service: Service) -> ContentQuerySet:
        return self.filter(services=service)


class Content(models.Model):
    """Fields every piece of loadable content shares."""

    slug = models.SlugField(
        "スラッグ",
        max_length=80,
        unique=True,
        help_text="URL に使う英小文字・数字・ハイフンの名前。",
    )
    order = models.PositiveIntegerField("並び順", default=0, help_text="小さいほど先に表示します。")
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    loaded_hash = models.CharField(
        "読み込み時のハッシュ",
        max_length=64,
        blank=True,
        editable=False,
        help_text="load_content が最後に書き込んだ内容の指紋。スタッフの編集を見分けるのに使います。",
    )

    objects: ClassVar[models.Manager[Any]] = models.Manager()

    # Markdown source field -> rendered HTML field.
    markdown_fields: ClassVar[dict[str, str]] = {}
    # Plain text fields normalised on save (markdown sources are included automatically).
    text_fields: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        for name in (*self.text_fields, *self.markdown_fields):
            setattr(self, name, normalise_text(getattr(self, name)))
        for source, target in self.markdown_fields.items():
            setattr(self, target, markup.render(getattr(self, source)))
        super().save(*args, **kwargs)


class Publishable(Content):
    status = models.CharField(
        "公開状態",
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="公開にしたものだけがサイトに表示されます。",
    )

    objects: ClassVar[models.Manager[Any]] = ContentQuerySet.as_manager()

    class Meta:
        abstract = True


class Service(Content):
    name = models.CharField("名前", max_length=60)
    short_name = models.CharField("短い名前", max_length=30)
    summary = models.CharField("説明", max_length=200, blank=True)

    text_fields = ("name", "short_name", "summary")

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "サービス"
        verbose_name_plural = "サービス"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_url("articles:service", self.slug)

    def get_contact_url(self) -> str:
        return slug_url("articles:contact_service", self.slug)


class Cause(Publishable):
    code = models.CharField(
        "原因コード", max_length=10, unique=True, help_text="C1〜C10 のような社内用の番号。"
    )
    title = models.CharField("見出し", max_length=120)
    summary = models.CharField("要約", max_length=300, help_text="一覧や検索結果に出る 1〜2 文。")
    urgent = models.BooleanField(
        "緊急",
        default=False,
        help_text="乗っ取りやアカウント停止のように、すぐ動くべき原因。警告を付けて先頭に出します。",
    )
    warning = models.CharField(
        "警告文", max_length=300, blank=True, help_text="緊急の原因で最初に読ませる短い文。"
    )
    body = models.TextField("本文（Markdown）", blank=True)
    body_html = models.TextField("本文（HTML）", blank=True, editable=False)
    services = models.ManyToManyField(
        Service, related_name="causes", verbose_name="関係するサービス", blank=True
    )

    markdown_fields = {"body": "body_html"}
    text_fields = ("title", "summary", "warning")

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "原因"
        verbose_name_plural = "原因"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return slug_url("articles:cause", self.slug)


class Remedy(models.Model):
    """One step a reader tries, in order, for a cause."""

    cause = models.ForeignKey(
        Cause, on_delete=models.CASCADE, related_name="remedies", verbose_name="原因"
    )
    order = models.PositiveIntegerField("順番", default=0, help_text="試してもらう順。")
    title = models.CharField("見出し", max_length=120)
    body = models.TextField("手順（Markdown）", blank=True)
    body_html = models.TextField("手順（HTML）", blank=True, editable=False)

    class Meta:
        ordering = ["cause", "order", "pk"]
        verbose_name = "対処法"
        verbose_name_plural = "対処法"

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.title = normalise_text(self.title)
        self.body = normalise_text(self.body)
        self.body_html = markup.render(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.cause.get_absolute_url()}#remedy-{self.pk}"


class FAQ(Publishable):
    question = models.CharField("質問", max_length=200)
    answer = models.TextField("回答（Markdown）")
    answer_html = models.TextField("回答（HTML）", blank=True, editable=False)
    featured = models.BooleanField("トップに表示", default=False)
    services = models.ManyToManyField(
        Service, related_name="faqs", verbose_name="関係するサービス", blank=True
    )
    causes = models.ManyToManyField(
        Cause, related_name="faqs", verbose_name="関係する原因", blank=True
    )

    markdown_fields = {"answer": "answer_html"}
    text_fields = ("question",)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "よくある質問"
        verbose_name_plural = "よくある質問"

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return slug_url("articles:faq", self.slug)

    @property
    def title(self) -> str:
        return self.question


class PreventionTip(Publishable):
    title = models.CharField("見出し", max_length=120)
    summary = models.CharField("要約", max_length=300)
    body = models.TextField("本文（Markdown）", blank=True)
    body_html = models.TextField("本文（HTML）", blank=True, editable=False)
    services = models.ManyToManyField(
        Service, related_name="tips", verbose_name="関係するサービス", blank=True
    )
    causes = models.ManyToManyField(
        Cause, related_name="tips", verbose_name="予防できる原因", blank=True
    )

    markdown_fields = {"body": "body_html"}
    text_fields = ("title", "summary")

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "予防のヒント"
        verbose_name_plural = "予防のヒント"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return slug_url("articles:tip", self.slug)


class SupportChannel(Publishable):
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        related_name="support_channels",
        verbose_name="サービス",
    )
    title = models.CharField("見出し", max_length=120)
    summary = models.CharField("要約", max_length=300)
    methods = models.CharField(
        "連絡手段",
        max_length=100,
        blank=True,
        help_text="「メール、チャット、電話」のように読点で区切ります。",
    )
    url = models.URLField("公式の窓口ページ", blank=True)
    body = models.TextField("手順（Markdown）", blank=True)
    body_html = models.TextField("手順（HTML）", blank=True, editable=False)

    markdown_fields = {"body": "body_html"}
    text_fields = ("title", "summary", "methods")

    class Meta:
        ordering = ["service__order", "order", "pk"]
        verbose_name = "問い合わせ窓口"
        verbose_name_plural = "問い合わせ窓口"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.service.get_contact_url()}#{self.slug}"

    @property
    def method_list(self) -> list[str]:
        return [m.strip() for m in self.methods.replace(",", "、").split("、") if m.strip()]


# --- The guided "can't log in" flow ------------------------------------------------------------


class QuestionKind(models.TextChoices):
    SERVICE = "service", "サービスを選ぶ（最初の質問）"
    SINGLE = "single", "ひとつ選ぶ"
    MULTIPLE = "multiple", "いくつでも選ぶ"


class Question(Publishable):
    """One step of the guided flow. Shown in `order`, only when its conditions hold."""

    kind = models.CharField("選び方", max_length=10, choices=QuestionKind.choices)
    text = models.CharField("質問", max_length=200)
    help = models.CharField(
        "補足", max_length=300, blank=True, help_text="質問の下に小さく出す説明。"
    )
    services = models.ManyToManyField(
        Service,
        related_name="questions",
        verbose_name="表示するサービス",
        blank=True,
        help_text="空なら全サービスで表示。サービスが「わからない」の人にはいつも表示します。",
    )
    after: models.ManyToManyField[Option, Any] = models.ManyToManyField(
        "Option",
        related_name="unlocks",
        verbose_name="表示する条件",
        blank=True,
        help_text="空ならいつも表示。選ぶと、それより前の質問でこのどれかが選ばれたときだけ表示します。",
    )

    text_fields = ("text", "help")

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "診断の質問"
        verbose_name_plural = "診断の質問"

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    """An answer to a question, and how it weighs the causes."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name="質問"
    )
    slug = models.SlugField(
        "スラッグ",
        max_length=60,
        unique=True,
        help_text="URL に残る回答の名前。公開後に変えると、共有されたリンクの回答が無視されます。",
    )
    order = models.PositiveIntegerField("並び順", default=0)
    label = models.CharField("選択肢", max_length=120)
    hint = models.CharField("補足", max_length=200, blank=True)
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="選ぶと決まるサービス",
        help_text="最初の質問（サービス）の選択肢だけに使います。「わからない」は空のまま。",
    )
    services = models.ManyToManyField(
        Service,
        related_name="+",
        verbose_name="表示するサービス",
        blank=True,
        help_text="空なら全サービスで表示（例: 「権限がありません」はセラーセントラルだけ）。",
    )
    neutral = models.BooleanField(
        "絞り込まない",
        default=False,
        help_text="「わからない」のように、どの原因にも重みを付けない選択肢。",
    )

    class Meta:
        ordering = ["question__order", "order", "pk"]
        verbose_name = "診断の選択肢"
        verbose_name_plural = "診断の選択肢"

    def __str__(self) -> str:
        return f"{self.question.text} → {self.label}"


class OptionCause(models.Model):
    """How much choosing an option points to a cause."""

    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, related_name="weights", verbose_name="選択肢"
    )
    cause = models.ForeignKey(
        Cause, on_delete=models.CASCADE, related_name="option_weights", verbose_name="原因"
    )
    weight = models.IntegerField(
        "重み",
        default=5,
        help_text="大きいほどこの原因を上に出します（目安 1〜10）。マイナスは「この原因ではなさそう」。",
    )
    decisive = models.BooleanField(
        "最優先にする",
        default=False,
        help_text="乗っ取りや停止の兆候のように、この回答があれば他の回答に関係なく警告付きで先頭に出す。",
    )

    class Meta:
        ordering = ["option", "-weight"]
        verbose_name = "原因への重み"
        verbose_name_plural = "原因への重み"
        constraints = [
            models.UniqueConstraint(fields=["option", "cause"], name="unique_option_cause"),
        ]

    def __str__(self) -> str:
        return f"{self.option.label} → {self.cause.code} ({self.weight:+d})"


class ContentVersion(models.Model):
    """A counter bumped on every save of content or flow data: every worker's in-memory flow
    graph compares it to the version it was built from and rebuilds when it changed."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "コンテンツの版"
        verbose_name_plural = "コンテンツの版"

    def __str__(self) -> str:
        return f"v{self.version}"


class FlowEvent(models.Model):
    """An anonymous outcome of the guided flow: no IP, no user, only a random flow id."""

    class Kind(models.TextChoices):
        STARTED = "started", "開始"
        ANSWERED = "answered", "回答を完了"
        TRIED = "tried", "対処法を試した（解決せず）"
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


# --- Search -------------------------------------------------------------------------------------


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
    """One searchable document (a published cause with its remedies, an FAQ or a tip), kept in
    step with the content by signals. `norm_*` hold normalised text (see `textnorm`); `grams_*`
    the one- and two-character pieces that PostgreSQL indexes for very short queries; on SQLite
    an FTS5 table (`articles_search_fts`, rowid = id) indexes the same text."""

    class Kind(models.TextChoices):
        CAUSE = "cause", "原因"
        FAQ = "faq", "FAQ"
        TIP = "tip", "予防のヒント"

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
