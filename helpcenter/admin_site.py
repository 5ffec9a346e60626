"""The staff's admin site: a second factor (TOTP, django-otp) wherever `STAFF_OTP_REQUIRED` is on.

It is on by default and under production settings; the development and test settings turn it
off (tests that check it turn it back on). Repeated failed sign-ins are locked out by
django-axes (see `AXES_*` in the settings), before the password is even checked.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def otp_required() -> bool:
    return bool(getattr(settings, "STAFF_OTP_REQUIRED", True))


class StaffLoginForm(OTPAdminAuthenticationForm):
    """Password, then the code from the authenticator app (or a recovery code), in Japanese."""

    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": _("Enter the code from your authenticator app."),
        "invalid_token": _("The code is not right. Enter the code your app shows now."),
        "n_failed_attempts": ngettext_lazy(
            "After %(failure_count)d wrong code, codes are refused for a moment. Try again soon.",
            "After %(failure_count)d wrong codes, codes are refused for a moment. Try again soon.",
            "failure_count",
        ),
        "verification_not_allowed": _("Codes are refused for a moment. Try again soon."),
        "device_required": _("Choose a device."),
    }

    def _chosen_device(self, user: Any) -> Any:
        """The device chosen, or else the one the code's shape names: six digits come from the
        authenticator app, anything else is a recovery code (one step, no device list)."""
        device = super()._chosen_device(user)
        if device is not None:
            return device
        token = str(self.cleaned_data.get("otp_token") or "").strip()
        model = TOTPDevice if token.isdigit() else StaticDevice
        return model.objects.filter(user=user, confirmed=True).first()


class StaffAdminSite(OTPAdminSite):
    site_header = "ログインヘルプ 管理"
    site_title = "ログインヘルプ 管理"
    index_title = "コンテンツと診断フローの編集"

    index_template = "admin/staff_index.html"

    def __init__(self, name: str = "admin") -> None:
        AdminSite.__init__(self, name)

    def get_urls(self) -> list[URLResolver | URLPattern]:
        extra = [
            path("health/", self.admin_view(self.health), name="health"),
            path("flow/", self.admin_view(self.flow_map), name="flow_map"),
            path("dashboard/", self.admin_view(self.dashboard), name="dashboard"),
        ]
        return extra + super().get_urls()

    def flow_map(self, request: HttpRequest) -> HttpResponse:
        """A picture of the flow's weights, with the same as a table (`helpcenter.flowmap`)."""
        from . import flowmap

        drafts = flowmap.flow_drafts()
        chosen = next((d for d in drafts if str(d.pk) == request.GET.get("draft")), None)
        if request.GET.get("draft") and chosen is None:
            raise Http404(_("There is no such draft of the flow."))
        effect = flowmap.effect(request, chosen) if chosen else None
        context = {
            **self.each_context(request),
            "title": _("The flow at a glance"),
            "map": effect.map if effect and effect.map else flowmap.build(),
            "drafts": drafts,
            "effect": effect,
        }
        return TemplateResponse(request, "admin/flow_map.html", context)

    def dashboard(self, request: HttpRequest) -> HttpResponse:
        """Outcomes, votes and searches for a date range, as charts and tables (`dashboard`)."""
        from . import dashboard_page

        return dashboard_page.render(request, self.each_context(request))

    def health(self, request: HttpRequest) -> HttpResponse:
        """Content health: what needs a look, with a link to fix each (`helpcenter.health`)."""
        from . import health

        groups = health.report()
        context = {
            **self.each_context(request),
            "title": _("Content health"),
            "groups": groups,
            "total": sum(len(found) for _title, found in groups),
        }
        return TemplateResponse(request, "admin/health.html", context)

    @property
    def login_form(self) -> Any:
        return StaffLoginForm if otp_required() else AdminAuthenticationForm

    @property
    def login_template(self) -> Any:
        return "admin/staff_login.html" if otp_required() else None

    def has_permission(self, request: HttpRequest) -> bool:
        allowed = AdminSite.has_permission(self, request)
        if not otp_required():
            return allowed
        return allowed and bool(getattr(request.user, "is_verified", lambda: False)())
