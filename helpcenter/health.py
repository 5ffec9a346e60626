"""Content health, for the staff page in the admin (`/admin/health/`): what needs a look, each
finding with a link to where it is fixed.

- the flow's findings (`diagnosis.checks.check_flow`, the rules of `manage.py check`);
- published causes without a published FAQ or prevention tip;
- links inside the content to pages of this site that do not exist;
- causes and FAQs whose official source was last checked longer ago than the review period
  (`CONTENT_REVIEW_DAYS`), or never;
- drafts nobody touched for `STALE_DRAFT_DAYS`: new records never published, and drafts of the
  next version of a published record (`articles.drafts`) waiting that long.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone

from articles.models import (
    FAQ,
    Cause,
    Draft,
    OldSlug,
    PreventionTip,
    Remedy,
    Status,
    SupportChannel,
)
from diagnosis.checks import check_flow
from diagnosis.models import Question

# Links to this site inside rendered content: relative ("/causes/x/") or with the site's origin.
_HREF = re.compile(r'href="([^"]+)"')
_SLUG_PAGES = {
    "articles:cause": Cause,
    "articles:faq": FAQ,
    "articles:tip": PreventionTip,
}


@dataclass(frozen=True)
class Finding:
    group: str
    text: str
    url: str  # where staff fix it (an admin page)


def admin_url(obj: Any) -> str:
    try:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""


def flow_findings() -> list[Finding]:
    return [
        Finding("flow", f"{e.msg} {e.hint or ''}".strip(), admin_url(e.obj) if e.obj else "")
        for e in check_flow()
    ]


def missing_help() -> list[Finding]:
    causes = Cause.objects.published().annotate(
        published_faqs=Count("faqs", filter=Q(faqs__status=Status.PUBLISHED), distinct=True),
        published_tips=Count("tips", filter=Q(tips__status=Status.PUBLISHED), distinct=True),
    )
    found = []
    for cause in causes:
        if not cause.published_faqs:
            found.append(
                Finding(
                    "missing",
                    f"原因「{cause}」に公開中のよくある質問がありません。",
                    admin_url(cause),
                )
            )
        if not cause.published_tips:
            found.append(
                Finding(
                    "missing",
                    f"原因「{cause}」に公開中の予防のヒントがありません。",
                    admin_url(cause),
                )
            )
    return found


def _link_is_broken(href: str) -> bool:
    origin = settings.SITE_URL
    if href.startswith(origin):
        href = href[len(origin) :] or "/"
    if not href.startswith("/") or href.startswith("//"):
        return False  # another site, an anchor, mailto: …
    path = href.split("#")[0].split("?")[0]
    try:
        match = resolve(path)
    except Resolver404:
        return True
    model = _SLUG_PAGES.get(match.view_name)
    if model is None:
        return False
    slug = match.kwargs.get("slug", "")
    if model.objects.published().filter(slug=slug).exists():
        return False
    return not OldSlug.objects.filter(model=model._meta.label_lower, slug=slug).exists()


def broken_links() -> list[Finding]:
    sources: list[tuple[Any, str]] = []
    for cause in Cause.objects.published():
        sources.append((cause, cause.body_html))
    for remedy in Remedy.objects.filter(cause__status=Status.PUBLISHED).select_related("cause"):
        sources.append((remedy.cause, remedy.body_html))
    for faq in FAQ.objects.published():
        sources.append((faq, faq.answer_html))
    for tip in PreventionTip.objects.published():
        sources.append((tip, tip.body_html))
    for channel in SupportChannel.objects.published():
        sources.append((channel, channel.body_html))
    found = []
    for obj, html in sources:
        for href in _HREF.findall(html):
            if _link_is_broken(href):
                found.append(
                    Finding("links", f"「{obj}」のリンク {href} の先がありません。", admin_url(obj))
                )
    return found


def unchecked_sources() -> list[Finding]:
    limit = timezone.localdate() - timedelta(days=settings.CONTENT_REVIEW_DAYS)
    found = []
    for model in (Cause, FAQ):
        stale = model.objects.published().filter(Q(checked_on__lt=limit) | Q(checked_on=None))
        for obj in stale:
            when = obj.checked_on.isoformat() if obj.checked_on else "未確認"
            found.append(
                Finding(
                    "review",
                    f"「{obj}」の公式ヘルプとの照合が古くなっています（最終確認: {when}）。",
                    admin_url(obj),
                )
            )
    return found


def stale_drafts() -> list[Finding]:
    limit = timezone.now() - timedelta(days=settings.STALE_DRAFT_DAYS)
    found = []
    for model in (Cause, FAQ, PreventionTip, SupportChannel, Question):
        for obj in model.objects.filter(status=Status.DRAFT, updated_at__lt=limit):
            found.append(
                Finding(
                    "drafts",
                    f"下書き「{obj}」が{settings.STALE_DRAFT_DAYS}日以上そのままです。",
                    admin_url(obj),
                )
            )
    for draft in Draft.objects.filter(updated_at__lt=limit).select_related("content_type"):
        target = draft.target()
        found.append(
            Finding(
                "drafts",
                f"{draft}の次の版の下書きが{settings.STALE_DRAFT_DAYS}日以上公開されていません。",
                admin_url(target) if target is not None else "",
            )
        )
    return found


GROUPS = (
    ("flow", "診断フロー", flow_findings),
    ("missing", "よくある質問・予防のヒントがない原因", missing_help),
    ("links", "リンク切れ", broken_links),
    ("review", "公式ヘルプとの照合が古いもの", unchecked_sources),
    ("drafts", "放置された下書き", stale_drafts),
)


def report() -> list[tuple[str, list[Finding]]]:
    return [(title, find()) for _key, title, find in GROUPS]
