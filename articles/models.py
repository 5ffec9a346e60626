"""The help center's content: services, causes with their remedies, FAQs, prevention tips and
support channels. Markdown is rendered once on save into sanitised HTML (`*_html`)."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from . import markup


def text_version(title: str, body: str) -> str:
    """16 hex digits of SHA-256 over the normalised title and body."""
    text = f"{normalise_text(title)}\n\n{normalise_text(body)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Sourced(models.Model):
    """Content resting on one of Amazon's own help pages: which, and when staff last checked it."""

    source_url = models.URLField(
        "公式ヘルプのページ",
        max_length=300,
        blank=True,
        help_text="この内容の根拠になる Amazon 公式ヘルプの URL。見つからない場合は空のまま。",
    )
    checked_on = models.DateField(
        "最終確認日",
        null=True,
        blank=True,
        help_text="公式ヘルプと照らし合わせて内容を確かめた日。",
    )

    class Meta:
        abstract = True


class Status(models.TextChoices):
    DRAFT = "draft", "下書き"
    PUBLISHED = "published", "公開"


def normalise_text(value: str) -> str:
    """Text as staff and fixtures both mean it: LF newlines, no surrounding blank space."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


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
        return reverse("articles:service", args=[self.slug])

    def get_contact_url(self) -> str:
        return reverse("articles:contact_service", args=[self.slug])


class Cause(Publishable, Sourced):
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
        permissions = [("publish_cause", "公開・下書きへの切り替えと、以前の版への復元ができる")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("articles:cause", args=[self.slug])


class Remedy(models.Model):
    """One step a reader tries, in order, for a cause: a fix to try ("did this get you in?") or
    an action to take (report a takeover, write a plan), which a reader marks done."""

    class Kind(models.TextChoices):
        FIX = "fix", "試す対処法（ログインできたか尋ねる）"
        ACTION = "action", "行うこと（済んだら次へ）"

    cause = models.ForeignKey(
        Cause, on_delete=models.CASCADE, related_name="remedies", verbose_name="原因"
    )
    order = models.PositiveIntegerField("順番", default=0, help_text="試してもらう順。")
    title = models.CharField("見出し", max_length=120)
    body = models.TextField("手順（Markdown）", blank=True)
    body_html = models.TextField("手順（HTML）", blank=True, editable=False)
    kind = models.CharField(
        "種類",
        max_length=10,
        choices=Kind.choices,
        default=Kind.FIX,
        help_text="緊急の原因の手順や、問い合わせ・改善計画書などの行動は「行うこと」にします。",
    )
    pinned = models.BooleanField(
        "順番を固定",
        default=False,
        help_text="オンにすると、診断の結果から学んだ並べ替えでこの対処法は動きません。",
    )
    first_when = models.CharField(
        "先に出す回答",
        max_length=300,
        blank=True,
        help_text="診断でこの回答（選択肢のスラッグ、空白区切り）が選ばれたら、この対処法を先頭にします。",
    )

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
        self.first_when = " ".join(self.first_when.split())
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.cause.get_absolute_url()}#remedy-{self.pk}"

    @property
    def version(self) -> str:
        """A fingerprint of what readers are told to do: a remedy whose text changed is a new
        remedy for the outcome figures and the learned order."""
        return text_version(self.title, self.body)

    @property
    def is_action(self) -> bool:
        return self.kind == self.Kind.ACTION

    @property
    def first_when_list(self) -> list[str]:
        return self.first_when.split()


class FAQ(Publishable, Sourced):
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
        permissions = [("publish_faq", "公開・下書きへの切り替えと、以前の版への復元ができる")]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("articles:faq", args=[self.slug])

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
        permissions = [
            ("publish_preventiontip", "公開・下書きへの切り替えと、以前の版への復元ができる")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("articles:tip", args=[self.slug])


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
        permissions = [
            ("publish_supportchannel", "公開・下書きへの切り替えと、以前の版への復元ができる")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.service.get_contact_url()}#{self.slug}"

    @property
    def method_list(self) -> list[str]:
        return [m.strip() for m in self.methods.replace(",", "、").split("、") if m.strip()]


class ContentVersion(models.Model):
    """One row counting changes to content and flow data: see `articles.version`."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(
        "最終変更", null=True, blank=True, help_text="ページの Last-Modified に使う時刻。"
    )

    class Meta:
        verbose_name = "コンテンツの版"
        verbose_name_plural = "コンテンツの版"

    def __str__(self) -> str:
        return f"v{self.version}"


class Tombstone(models.Model):
    """A loadable record staff deleted: `load_content` leaves it deleted (unless --force)."""

    model = models.CharField("種類", max_length=60, help_text="例: articles.cause")
    slug = models.SlugField("スラッグ", max_length=80)
    deleted_at = models.DateTimeField("削除日時", auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "slug"], name="tombstone_once")]
        ordering = ["-deleted_at"]
        verbose_name = "削除したコンテンツ"
        verbose_name_plural = "削除したコンテンツ"

    def __str__(self) -> str:
        return f"{self.model}: {self.slug}"


class OldSlug(models.Model):
    """A slug a record had before staff renamed it: its old URL redirects (301) to the new one,
    and `load_content` knows the renamed record as the fixture's."""

    model = models.CharField("種類", max_length=60, help_text="例: articles.cause")
    slug = models.SlugField("以前のスラッグ", max_length=80)
    object_id = models.PositiveBigIntegerField("レコードの ID")
    changed_at = models.DateTimeField("変更日時", auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "slug"], name="old_slug_once")]
        ordering = ["-changed_at"]
        verbose_name = "以前のスラッグ"
        verbose_name_plural = "以前のスラッグ"

    def __str__(self) -> str:
        return f"{self.model}: {self.slug}"


class Draft(models.Model):
    """The next version of a published record, waiting to be published (`articles.drafts`).

    `data` is what the admin's form posted (the fields and the inline rows), kept only after
    the same save was tried and passed every check; the live record stays as it is until a
    publisher publishes the draft through that same save."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name="種類")
    object_id = models.CharField("レコードの ID", max_length=40)
    object_repr = models.CharField("対象", max_length=200)
    data = models.JSONField("下書きの内容", default=dict)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="書いた人",
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="one_draft_each")
        ]
        ordering = ["-updated_at"]
        verbose_name = "公開待ちの下書き"
        verbose_name_plural = "公開待ちの下書き"

    def __str__(self) -> str:
        return f"{self.content_type.name}「{self.object_repr}」"

    def target(self) -> Any:
        model = self.content_type.model_class()
        return model._default_manager.filter(pk=self.object_id).first() if model else None
