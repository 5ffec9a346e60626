"""The guided flow as data: questions, their options, and how each option weighs the causes."""

from __future__ import annotations

from typing import Any

from django.db import models

from articles.models import Cause, Publishable, Service


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
        permissions = [("publish_question", "公開・下書きへの切り替えと、以前の版への復元ができる")]

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


class RemedyStat(models.Model):
    """How often a remedy, in one version of its text, was tried and how often it resolved the
    sign-in, kept up to date as outcomes are recorded (by `feedback`), so ordering remedies
    never counts events per request (`diagnosis.learning`)."""

    remedy = models.ForeignKey(
        "articles.Remedy", on_delete=models.CASCADE, related_name="stats", verbose_name="対処法"
    )
    version = models.CharField("対処法の版", max_length=16)
    tries = models.PositiveIntegerField("試した数", default=0)
    successes = models.PositiveIntegerField("解決した数", default=0)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "対処法の成績"
        verbose_name_plural = "対処法の成績"
        constraints = [
            models.UniqueConstraint(fields=["remedy", "version"], name="one_stat_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.remedy_id}@{self.version}: {self.successes}/{self.tries}"
