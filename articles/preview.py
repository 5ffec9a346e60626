"""The live preview of Markdown fields in the admin: what readers will see, while staff type.

The admin's change forms mark each Markdown textarea for htmx (served from our own static
files, like the public pages'): `data-hx-post` to this preview, sent a moment after typing
stops, the answer swapped into the box beside the field (`static/js/admin-preview.js` adds the
box, the rows "add another" creates, and the messages for a refusal, a lost sign-in or no
answer). htmx sends the change form's fields, its CSRF token among them, and names the typed
field in `HX-Trigger-Name`; `text` may be posted instead. The answer is rendered exactly as a
save renders it (`normalise_text`, then `markup.render`, nh3 included), so the preview can
never show more than the site would.

The endpoint lives under each content admin (`<admin>/articles/cause/preview/`): the admin site
checks the staff sign-in (and the second factor), the admin's CSRF protection applies, and the
model's add or change permission is required.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from . import markup
from .models import normalise_text

# A body longer than any real article by far; beyond it, rendering on every keystroke is waste.
MAX_CHARS = 50_000

MEDIA_JS = ["vendor/htmx-2.0.11.min.js", "js/admin-preview.js"]
WAIT = "400ms"  # after the last keystroke: one request per pause, not per key
MEDIA_CSS = {"all": ["css/admin-preview.css"]}


class PreviewForm(forms.Form):
    text = forms.CharField(required=False, strip=False)

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if len(text) > MAX_CHARS:
            raise forms.ValidationError(
                f"長すぎるためプレビューできません。{MAX_CHARS:,}文字までにしてください"
                f"（いまは{len(text):,}文字）。",
                code="max_length",
            )
        return text

    def html(self) -> str:
        """The text as a save would store it and the public page would show it."""
        return markup.render(normalise_text(self.cleaned_data["text"]))


@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The sanitised HTML fragment of the posted Markdown (a 400 with the reason otherwise)."""
    field = request.headers.get("HX-Trigger-Name", "")
    text = request.POST.get("text", request.POST.get(field, "") if field else "")
    form = PreviewForm({"text": text})
    if not form.is_valid():
        reason = " ".join(str(message) for message in form.errors["text"])
        return HttpResponseBadRequest(
            format_html('<p class="markdown-preview-error">{}</p>', reason),
            content_type="text/html; charset=utf-8",
        )
    return HttpResponse(form.html(), content_type="text/html; charset=utf-8")


def preview_url_name(admin_site: admin.AdminSite, model: type[models.Model]) -> str:
    opts = model._meta
    return f"{admin_site.name}:{opts.app_label}_{opts.model_name}_preview"


def mark_markdown_field(formfield: forms.Field | None, url: str) -> forms.Field | None:
    """Tells the script which textareas to preview, and where to ask for the preview."""
    if formfield is not None:
        formfield.widget.attrs = {
            **formfield.widget.attrs,
            "data-markdown-preview": url,
            "data-hx-post": url,
            # typing pauses; `preview` is sent by the script when the box is first shown
            "data-hx-trigger": f"input changed delay:{WAIT}, preview",
            "data-hx-target": "next .markdown-preview-body",
            "data-hx-swap": "innerHTML",
            "data-hx-sync": "this:replace",  # a newer text cancels the older request
        }
    return formfield


# The content admins are django-reversion `VersionAdmin`s, untyped (an `Any` base for mypy). A
# typed `ModelAdmin` base here would put django-stubs' declarations ahead of that `Any` and hold
# every content admin's class attributes to them, which is no business of the preview.
_ModelAdmin: Any = admin.ModelAdmin


class MarkdownPreviewAdmin(_ModelAdmin):
    """A model admin whose Markdown fields (the model's `markdown_fields`) show a live preview,
    served by its own `preview/` URL."""

    class Media:
        js = MEDIA_JS
        css = MEDIA_CSS

    def get_urls(self) -> list[URLPattern]:
        opts = self.opts
        own = [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name=f"{opts.app_label}_{opts.model_name}_preview",
            )
        ]
        return own + super().get_urls()  # before the catch-all `<path:object_id>/`

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return preview(request)

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in getattr(self.model, "markdown_fields", {}):
            url = reverse(preview_url_name(self.admin_site, self.model))
            return mark_markdown_field(formfield, url)
        return formfield


class MarkdownPreviewInline(admin.options.InlineModelAdmin):
    """An inline whose `preview_fields` are Markdown, previewed through the parent admin's
    `preview/` URL (the parent admin must be a `MarkdownPreviewAdmin`)."""

    preview_fields: Collection[str] = ()

    class Media:
        js = MEDIA_JS
        css = MEDIA_CSS

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in self.preview_fields:
            url = reverse(preview_url_name(self.admin_site, self.parent_model))
            return mark_markdown_field(formfield, url)
        return formfield
