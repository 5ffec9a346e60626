from django import forms


class FaqFilterForm(forms.Form):
    """`/faq/?service=<slug>`: the FAQ list filtered by service."""

    service = forms.SlugField(required=False, max_length=80)
