"""What search accepts: `q` (cut to 200 characters, never refused) and, for the API, `limit`."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .query import clean_query

DEFAULT_LIMIT = 10  # API results when `limit` is not given
_DIGITS = re.compile(r"[0-9]{1,9}")


class QueryField(forms.CharField):
    """Control characters dropped, cut to the longest query searched; never an error."""

    def to_python(self, value: Any) -> str:
        return clean_query(str(value) if value is not None else "")


class SearchForm(forms.Form):
    q = QueryField(required=False)


class LimitField(forms.IntegerField):
    """A whole number written in ASCII digits, as the API's description (`helpcenter.openapi`)
    says: not "５", "5.0", "+5", " 5" or "1_0", which Python's int() would also read."""

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if not isinstance(value, str) or not _DIGITS.fullmatch(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(value)


class ApiSearchForm(forms.Form):
    q = QueryField(error_messages={"required": _("Give a search term in q.")})
    limit = LimitField(
        required=False,
        min_value=1,
        max_value=50,
        error_messages={
            "invalid": _("limit must be a whole number from 1 to 50."),
            "min_value": _("limit must be a whole number from 1 to 50."),
            "max_value": _("limit must be a whole number from 1 to 50."),
        },
    )

    def clean_limit(self) -> int:
        return self.cleaned_data["limit"] or DEFAULT_LIMIT

    def first_error(self) -> tuple[str, str]:
        name, errors = next(iter(self.errors.items()))
        return name, str(errors[0])
