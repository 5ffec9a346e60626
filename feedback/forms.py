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
