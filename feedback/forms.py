from django import forms

from diagnosis.forms import FlowQueryForm
from search.forms import QueryField

FLOW_EVENTS = ("started", "answered")
SEARCH_EVENTS = ("search", "click")


class BeaconForm(FlowQueryForm):
    """What a page reports once it is shown: a flow step (with the flow's state, as in its URL)
    or a search and a click on one of its results (with the query)."""

    event = forms.ChoiceField(choices=[(e, e) for e in (*FLOW_EVENTS, *SEARCH_EVENTS)])
    query = QueryField(required=False)


class VoteForm(forms.Form):
    """「はい」 or 「いいえ」."""

    helpful = forms.TypedChoiceField(
        choices=[("yes", "はい"), ("no", "いいえ")],
        coerce=lambda value: value == "yes",
        error_messages={
            "required": "「はい」か「いいえ」を選んでください。",
            "invalid_choice": "「はい」か「いいえ」を選んでください。",
        },
    )

    def first_error(self) -> str:
        return next((str(m) for errors in self.errors.values() for m in errors), "")


class CommentForm(forms.Form):
    """An optional comment after the vote: plain text, 1,000 characters at most."""

    MAX = 1000

    comment = forms.CharField(
        label="ご意見（任意）",
        max_length=MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX}),
        error_messages={
            "required": "ご意見を入力してください。",
            "max_length": f"{MAX:,}文字以内で入力してください（いまは%(show_value)d文字）。",
        },
    )
