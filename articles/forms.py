from typing import Any

from django import forms

from .models import normalise_text


class FaqFilterForm(forms.Form):
    """`/faq/?service=<slug>`: the FAQ list filtered by service."""

    service = forms.SlugField(required=False, max_length=80)


class StaffText(forms.CharField):
    """A long text field of the admin, read as a save stores it (LF newlines, no surrounding
    space): a browser sends CRLF, and without this every form posted from a browser would count
    its untouched Markdown as changed, in the history's "changed" message too."""

    def to_python(self, value: Any) -> str:
        return normalise_text(super().to_python(value) or "")
