"""Drafts of the next version of published content and flow items, beside the live version.

An editor changes a published cause, FAQ, tip, support channel, question or option and presses
「下書きとして保存」 (editors, who may not publish, have only that button): readers go on seeing
the live version. The draft (`models.Draft`) is what the admin's form posted, the inline rows
(remedies, options, weights) included; it is kept only after the admin's whole save was tried
on it (form, inline forms, the flow guard) in a transaction that is always rolled back.

Everything done with a draft goes through the admin's own save, so it is checked and recorded
exactly like a direct edit:
- opening the record shows the draft in the form (「公開中の版を表示」 shows the live one);
- preview renders the public page with the site's own view and templates, and compare shows the
  difference from the live version with the history's own comparison; both apply the draft in
  a transaction that is rolled back (`trial`). It is the one place a GET runs writes, for staff
  only, and none of them is kept; caches built meanwhile keep nothing (`version.previewing`);
- the flow picture shows which causes move for which answers (`helpcenter.flowmap`);
- 「下書きを公開」 (publishers only) saves the form showing the draft: the admin's ordinary
  save, recorded in the history as the publishing of that author's draft. Several drafts can
  be published at once from 公開待ちの下書き (`publish_all`: one transaction, one bump).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages.storage import default_storage
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, resolve, reverse
from django.utils.datastructures import MultiValueDict
from reversion import revisions as reversion_frames
from reversion.models import Version

from . import signals, version
from . import versions as versions_diff
from .content import loaded
from .models import Draft, Status

SAVE_DRAFT = "_save_draft"
PUBLISH_DRAFT = "_publish_draft"
DISCARD_DRAFT = "_discard_draft"


@contextmanager
def trial() -> Iterator[None]:
    """Run writes that are never kept: a transaction (or savepoint) always rolled back.

    When it runs inside a revision of django-reversion (the admin's change view), the versions
    of what it saved are taken back out of that revision too, or the draft would be written
    into the history when the revision closes (django-reversion has no public way to forget
    versions: its pinned 6.x frame functions are used, and tests/articles/test_drafts.py checks
    that a draft adds nothing to the history)."""
    frame = reversion_frames._current_frame() if reversion.is_active() else None
    kept = reversion_frames._copy_db_versions(frame.db_versions) if frame else None
    try:
        with version.previewing(), transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        version.reset()  # nothing built from the draft may outlive it
        if kept is not None and reversion.is_active():
            reversion_frames._update_frame(db_versions=kept)


def posted(data: QueryDict) -> dict[str, list[str]]:
    """The form's fields and inline rows, without the buttons and the CSRF token."""
    return {
        key: values
        for key, values in data.lists()
        if not key.startswith("_") and key != "csrfmiddlewaretoken"
    }


def as_query(data: dict[str, list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in data.items():
        query.setlist(key, list(values))
    query._mutable = False
    return query


def _redirected(response: HttpResponse) -> bool:
    return response.status_code in (301, 302, 303)


def _drain(request: HttpRequest) -> None:
    for _ in messages.get_messages(request):  # what the tried (undone) save said
        pass


def draft_for(obj: Any) -> Draft | None:
    if obj is None or obj.pk is None:
        return None
    content_type = ContentType.objects.get_for_model(type(obj))
    return Draft.objects.filter(content_type=content_type, object_id=str(obj.pk)).first()


# The content admins are untyped django-reversion `VersionAdmin`s (see `preview._ModelAdmin`).
_ModelAdmin: Any = admin.ModelAdmin


class DraftAdmin(_ModelAdmin):
    """Drafts for a model admin (see the module docstring); put it before the admins whose save
    it should try (the flow guard, the history)."""

    change_form_template = "admin/draftable_change_form.html"
    publish_permission = ""  # "<app>.<codename>"; default: the model's publish_<model>

    def is_live(self, obj: Any) -> bool:
        """Whether readers see this record now (a change to it should be a draft first)."""
        return getattr(obj, "status", None) == Status.PUBLISHED

    def public_url(self, obj: Any) -> str:
        """Where readers see it (what the preview shows); "" when only the flow shows it."""
        return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""

    def has_publish_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        wanted = self.publish_permission or f"{opts.app_label}.publish_{opts.model_name}"
        return request.user.has_perm(wanted)

    # -- the change form ------------------------------------------------------------------

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if request.method == "POST" and obj is not None:
            if DISCARD_DRAFT in request.POST:
                return self._discard(request, obj)
            if PUBLISH_DRAFT in request.POST:
                # The form showed the draft (with any last edits): saving it publishes it.
                if not self.has_publish_permission(request):
                    raise PermissionDenied
                request._draft_author = getattr(draft_for(obj), "author", None)  # type: ignore[attr-defined]
            elif self.is_live(obj) and (
                SAVE_DRAFT in request.POST or not self.has_publish_permission(request)
            ):
                return self._save_draft(request, obj, object_id, form_url, extra_context)
        response = super().changeform_view(request, object_id, form_url, extra_context)
        saved_shown_draft = request.method == "POST" and not request.GET.get("live")
        if saved_shown_draft and obj is not None and _redirected(response):
            Draft.objects.filter(  # saved directly: the form showed the draft, now live
                content_type=ContentType.objects.get_for_model(self.model),
                object_id=str(obj.pk),
            ).delete()
            if PUBLISH_DRAFT in request.POST:
                messages.success(
                    request, f"「{obj}」の下書きを公開しました。履歴に新しい版として残ります。"
                )
        return response

    def _shown_draft(self, request: HttpRequest, obj: Any) -> Draft | None:
        """The draft the change form shows instead of the live record (GET only)."""
        if request.method != "GET" or obj is None or request.GET.get("live"):
            return None
        if not hasattr(request, "_shown_draft"):
            request._shown_draft = draft_for(obj)  # type: ignore[attr-defined]
        return request._shown_draft  # type: ignore[attr-defined]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        draft = self._shown_draft(request, obj)
        if draft is None:
            return form
        data = as_query(draft.data)

        class FromDraft(form):  # type: ignore[valid-type, misc]
            def __init__(self, *args: Any, **kw: Any) -> None:
                if not args and "data" not in kw:
                    kw["data"] = data
                super().__init__(*args, **kw)

        return FromDraft

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Any, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_formset_kwargs(request, obj, inline, prefix)
        draft = self._shown_draft(request, obj)
        if draft is not None:
            kwargs.update(data=as_query(draft.data), files=MultiValueDict())
        return kwargs

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        draft = draft_for(obj)
        live = obj is not None and self.is_live(obj)
        opts = self.opts
        name = f"admin:{opts.app_label}_{opts.model_name}"
        context.update(
            draft=draft,
            draft_shown=draft is not None and self._shown_draft(request, obj) is not None,
            is_live=live,
            can_publish=self.has_publish_permission(request),
            drafts_only=live and not self.has_publish_permission(request),
            draft_preview_url=reverse(f"{name}_draft_preview", args=[obj.pk]) if draft else "",
            draft_compare_url=reverse(f"{name}_draft_compare", args=[obj.pk]) if draft else "",
            draft_flow_url=f"{reverse('admin:flow_map')}?draft={draft.pk}" if draft else "",
            live_url=f"{request.path}?live=1" if draft else "",
            draft_url=request.path,
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- saving, publishing, discarding --------------------------------------------------

    def apply(self, request: HttpRequest, obj: Any, data: dict[str, list[str]]) -> HttpResponse:
        """Save `data` as if it had been posted to the change form (history and checks apply);
        a redirect means it was saved, anything else is the form with its errors."""
        fake = copy.copy(request)
        fake.method = "POST"
        fake.POST = as_query(data)  # type: ignore[assignment]
        fake._files = MultiValueDict()  # type: ignore[attr-defined]
        fake._shown_draft = None  # type: ignore[attr-defined]
        fake._messages = default_storage(fake)  # type: ignore[attr-defined]  # "saved": not said
        with self.create_revision(fake):  # as `VersionAdmin.change_view` does
            return super().changeform_view(fake, str(obj.pk), "", None)

    def _change_url(self, obj: Any) -> str:
        opts = self.opts
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    def _save_draft(
        self,
        request: HttpRequest,
        obj: Any,
        object_id: str | None,
        form_url: str,
        extra_context: dict[str, Any] | None,
    ) -> HttpResponse:
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        with trial():
            response = super().changeform_view(request, object_id, form_url, extra_context)
        if not _redirected(response):
            return response  # the form with what would not save
        _drain(request)
        data = posted(request.POST)
        if "status" not in data and hasattr(obj, "status"):
            data["status"] = [obj.status]  # not in an editor's form: the live status stays
        Draft.objects.update_or_create(
            content_type=ContentType.objects.get_for_model(self.model),
            object_id=str(obj.pk),
            defaults={"data": data, "author": request.user, "object_repr": str(obj)[:200]},
        )
        messages.success(
            request,
            f"「{obj}」の下書きを保存しました。公開するまで、読者には今の公開中の版が表示されます。",
        )
        return HttpResponseRedirect(self._change_url(obj))

    def _discard(self, request: HttpRequest, obj: Any) -> HttpResponse:
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        draft = draft_for(obj)
        if draft is not None:
            draft.delete()
            messages.success(
                request, f"「{obj}」の下書きを破棄しました。公開中の版はそのままです。"
            )
        return HttpResponseRedirect(self._change_url(obj))

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        author = getattr(request, "_draft_author", None)
        if reversion.is_active() and hasattr(request, "_draft_author"):
            by = f"{author.get_username()} の" if author else ""
            reversion.set_comment(f"{by}下書きを公開: {entry.get_change_message()}")
        return entry

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        draft = draft_for(obj)
        super().delete_model(request, obj)
        if draft is not None:
            draft.delete()

    # -- preview and comparison -----------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        opts = self.opts
        name = f"{opts.app_label}_{opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/draft/preview/",
                wrap(self.draft_preview_view),
                name=f"{name}_draft_preview",
            ),
            path(
                "<path:object_id>/draft/compare/",
                wrap(self.draft_compare_view),
                name=f"{name}_draft_compare",
            ),
            *super().get_urls(),
        ]

    def _draft_or_404(self, request: HttpRequest, object_id: str) -> tuple[Any, Draft]:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        draft = draft_for(obj)
        if draft is None:
            raise Http404("この記事に公開待ちの下書きはありません。")
        return obj, draft

    def draft_preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The public page as readers would see it with the draft published."""
        obj, draft = self._draft_or_404(request, object_id)
        with trial():
            response = self.apply(request, obj, draft.data)
            if not _redirected(response):
                return self._unusable(request, obj, response)
            url = self.public_url(type(obj)._default_manager.get(pk=obj.pk))
            if not url:  # a question or an option: the flow picture shows its effect
                return HttpResponseRedirect(f"{reverse('admin:flow_map')}?draft={draft.pk}")
            page_request = copy.copy(request)
            page_request.path = page_request.path_info = url
            page_request.GET = QueryDict()
            page_request.draft_preview = True  # type: ignore[attr-defined]
            match = resolve(url)
            page = match.func(page_request, *match.args, **match.kwargs)
            if hasattr(page, "render"):
                page.render()
        _drain(request)
        page["Cache-Control"] = "no-store"
        page["X-Robots-Tag"] = "noindex"
        return page

    def draft_compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The draft against the live version, as the history compares two versions."""
        obj, draft = self._draft_or_404(request, object_id)
        with trial():
            with reversion.create_revision():
                reversion.add_to_revision(obj)
            live = Version.objects.get_for_object(obj).first()
            response = self.apply(request, obj, draft.data)
            if not _redirected(response):
                return self._unusable(request, obj, response)
            new = Version.objects.get_for_object(obj).first()
            changes = versions_diff.difference(self.model, live, new) if live and new else []
        _drain(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"下書きと公開中の版の比較: {obj}",
            "object_id": obj.pk,
            "object_repr": str(obj),
            "draft": draft,
            "changes": changes,
            "change_url": self._change_url(obj),
        }
        return TemplateResponse(request, "admin/draft_compare.html", context)

    def _unusable(self, request: HttpRequest, obj: Any, response: HttpResponse) -> HttpResponse:
        """A draft that no longer saves (the live record changed since): say so, with the form."""
        _drain(request)
        messages.error(
            request,
            "この下書きは、公開中の内容が変わったため、そのままでは保存できません。"
            "下書きを開いて直してください。",
        )
        return HttpResponseRedirect(self._change_url(obj))


@contextmanager
def applied(request: HttpRequest, draft: Draft) -> Iterator[bool]:
    """Inside: the database as it would be with `draft` published (True), or as it is if the
    draft no longer saves (False). Nothing is kept."""
    obj = draft.target()
    model_admin = admin.site._registry.get(type(obj)) if obj is not None else None
    with trial():
        ok = isinstance(model_admin, DraftAdmin) and _redirected(
            model_admin.apply(request, obj, draft.data)
        )
        _drain(request)
        yield ok


def publish_all(request: HttpRequest, drafts: list[Draft]) -> list[str]:
    """Publish several drafts as one change: all or none, one content-version bump.
    Returns what refused (nothing was published then)."""
    refused: list[str] = []
    with transaction.atomic(), signals.paused():
        for draft in drafts:
            obj = draft.target()
            model_admin = admin.site._registry.get(type(obj)) if obj is not None else None
            if not isinstance(model_admin, DraftAdmin):
                refused.append(f"{draft}: 元のレコードが見つかりません。")
                continue
            if not model_admin.has_publish_permission(request):
                refused.append(f"{draft}: 公開する権限がありません。")
                continue
            request._draft_author = draft.author  # type: ignore[attr-defined]
            if not _redirected(model_admin.apply(request, obj, draft.data)):
                refused.append(f"{draft}: 公開中の内容が変わったため、そのままでは保存できません。")
                continue
            draft.delete()
        if refused:
            transaction.set_rollback(True)
    _drain(request)
    if not refused:
        loaded.send(sender=Draft, report=None)  # the search index, rebuilt once
        version.bump()
    return refused
