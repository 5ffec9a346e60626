"""What the guided flow accepts from visitors: one form per input shape, shared by the pages,
the answer POSTs and the API. Each error names its field in Japanese (through gettext)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .flow import FlowQuery, flow_token, new_flow_id

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
REMEDY_ID = re.compile(r"^[0-9]{1,9}$")
MAX_ANSWERS = 40
MAX_TRIED = 200
MAX_REMEDY_ID = 999_999_999


class ListWidget(forms.MultipleHiddenInput):
    """Reads every value of a repeated parameter (`a=x&a=y`)."""


class OneValueWidget(forms.TextInput):
    """Reads every value of a parameter, so that conflicting repeats are an error."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getlist = getattr(data, "getlist", None)
        values = getlist(name) if getlist else [data.get(name)]
        return [v.strip() for v in values if v and v.strip()]


class OneValue(forms.Field):
    widget = OneValueWidget

    def __init__(self, *, pattern: re.Pattern[str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.pattern = pattern

    def to_python(self, value: Any) -> str | None:
        values = list(dict.fromkeys(value or []))
        if len(values) > 1:
            raise forms.ValidationError(_("“%(name)s” is given more than once."), code="repeat")
        if not values:
            return None
        if self.pattern and not self.pattern.match(values[0]):
            raise forms.ValidationError(_("The value of “%(name)s” cannot be read."), code="bad")
        return values[0]


class SlugList(forms.Field):
    widget = ListWidget

    def __init__(self, *, most: int, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.most = most

    def values(self, value: Any) -> list[str]:
        values = [v.strip() for v in value or [] if v and v.strip()]
        if len(values) > self.most:
            raise forms.ValidationError(_("Too many values for “%(name)s”."), code="many")
        if not all(self.readable(v) for v in values):
            raise forms.ValidationError(_("The value of “%(name)s” cannot be read."), code="bad")
        return list(dict.fromkeys(values))

    def readable(self, value: str) -> bool:
        return bool(SLUG.match(value))

    def to_python(self, value: Any) -> tuple[str, ...]:
        return tuple(self.values(value))


class IdList(SlugList):
    def readable(self, value: str) -> bool:
        return bool(REMEDY_ID.match(value))

    def to_python(self, value: Any) -> tuple[int, ...]:  # type: ignore[override]
        return tuple(dict.fromkeys(int(v) for v in self.values(value)))


class NamedErrors(forms.Form):
    def first_error(self) -> tuple[str, str]:
        """The first invalid field and its message, with the field's name filled in."""
        name, errors = next(iter(self.errors.as_data().items()))
        error = errors[0]
        message = error.message % {"name": name, **(error.params or {})}
        return name, str(message)


class FlowQueryForm(NamedErrors):
    """The state of the flow in a step's URL: /diagnose/?f=…&service=…&a=…&tried=…"""

    f = forms.CharField(required=False, max_length=200)
    service = OneValue(pattern=SLUG)
    a = SlugList(most=MAX_ANSWERS)
    q = OneValue(pattern=SLUG)  # the question a submitted form answered
    change = OneValue(pattern=SLUG)  # the question the person wants to answer again
    tried = IdList(most=MAX_TRIED)
    resolved = OneValue(pattern=REMEDY_ID)
    escalate = OneValue()

    # The random token of `f` once the form is valid, when the id is one we issued: recording
    # needs it, navigation does not.
    flow_token: str | None = None

    def clean_f(self) -> str:
        """A flow id we issued, or "" (a damaged id only starts a new flow)."""
        self.flow_token = flow_token(self.cleaned_data["f"])
        return self.cleaned_data["f"] if self.flow_token else ""

    def flow_query(self) -> FlowQuery:
        data = self.cleaned_data
        return FlowQuery(
            flow_id=data["f"] or new_flow_id(),
            service=data["service"],
            answers=data["a"],
            asked=data["q"],
            change=data["change"],
            tried=data["tried"],
            resolved=int(data["resolved"]) if data["resolved"] is not None else None,
            escalate=data["escalate"] in {"1", "true", "yes"},
        )


class FlowAnswerForm(FlowQueryForm):
    """A person's answer to a result step (a POST): a fix worked, did not, an action is done, or
    they want to contact support."""

    ACTIONS = ("resolved", "unresolved", "done", "escalate")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    remedy = forms.IntegerField(required=False, min_value=1, max_value=MAX_REMEDY_ID)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") in {"resolved", "unresolved", "done"} and not data.get("remedy"):
            self.add_error("remedy", _("Choose the fix you tried."))
        return data


class ApiDiagnoseForm(NamedErrors):
    """`GET /api/diagnose?service=…&answers=a,b`"""

    service = forms.CharField(max_length=60, error_messages={"required": _("Give a service.")})
    # Not stripped as a whole (each answer is): the length is that of the value as sent, as the
    # API's description (`helpcenter.openapi`) says.
    answers = forms.CharField(required=False, max_length=MAX_ANSWERS * 61, strip=False)

    def clean_answers(self) -> list[str]:
        slugs = [a.strip() for a in self.cleaned_data["answers"].split(",") if a.strip()]
        if len(slugs) > MAX_ANSWERS:
            raise forms.ValidationError(
                _("At most %(most)s answers."), code="many", params={"most": MAX_ANSWERS}
            )
        return slugs
