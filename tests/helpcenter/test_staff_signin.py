"""The staff sign-in practises what the site preaches: a second factor, a lockout after repeated
failures (in Japanese, with a way for a superuser to unlock), long passwords, short sessions."""

from __future__ import annotations

import importlib
import re
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-staff-passphrase-42"


@pytest.fixture
def staff() -> User:
    return User.objects.create_user("editor", password=PASSWORD, is_staff=True, is_superuser=True)


def code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Client, password: str = PASSWORD, token: str = "") -> object:
    return client.post(
        reverse("admin:login"),
        {"username": "editor", "password": password, "otp_token": token, "next": "/admin/"},
        REMOTE_ADDR="203.0.113.9",
    )


@override_settings(STAFF_OTP_REQUIRED=True)
def test_without_a_second_factor_staff_cannot_reach_the_admin(client: Client, staff: User) -> None:
    client.force_login(staff)  # the password alone
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    # The sign-in page asks for the authenticator code, in Japanese.
    page = client.get(reverse("admin:login")).content.decode()
    assert 'name="otp_token"' in page and "認証アプリのコード" in page
    # A password without a code does not get in.
    assert sign_in(Client()).status_code == 200


@override_settings(STAFF_OTP_REQUIRED=True)
def test_with_the_code_from_the_authenticator_app_staff_get_in(staff: User) -> None:
    out = StringIO()
    call_command("setup_staff_2fa", "editor", stdout=out)
    printed = out.getvalue()
    assert "otpauth://totp/" in printed  # and a QR code above it
    device = TOTPDevice.objects.get(user=staff)

    client = Client()
    wrong = sign_in(client, token="000000" if code(device) != "000000" else "111111")
    notes = re.findall(r'class="errornote">(.*?)</p>', wrong.content.decode(), re.S)
    assert wrong.status_code == 200 and "コードが正しくありません" in " ".join(notes), notes
    # Right after a wrong code, codes are refused for a moment (django-otp's throttle).
    assert "しばらくコードを受け付けません" in sign_in(client, token=code(device)).content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # the moment has passed
    response = sign_in(client, token=code(device))
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200

    # A recovery code works once.
    recovery = printed.split("リカバリーコード")[1].split()[1]
    other = Client()
    assert sign_in(other, token=recovery).status_code == 302
    assert sign_in(Client(), token=recovery).status_code == 200


def test_staff_are_locked_out_after_repeated_failures_and_a_superuser_unlocks(
    staff: User,
) -> None:
    client = Client()
    for _ in range(4):
        assert sign_in(client, password="wrong-password-123").status_code == 200
    assert sign_in(client, password="wrong-password-123").status_code == 429  # the fifth
    locked = sign_in(client)  # now even the right password
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "ログインを一時的に止めています" in text and "5回" in text and "分" in text
    assert not client.get(reverse("admin:index")).wsgi_request.user.is_authenticated

    # A superuser unlocks it from the admin.
    admin = User.objects.create_superuser("chief", password="another-long-passphrase")
    chief = Client()
    chief.force_login(admin)
    attempt = AccessAttempt.objects.get(username="editor")
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert chief.post(delete, {"post": "yes"}).status_code == 302
    assert sign_in(client).status_code == 302


def test_passwords_need_twelve_characters() -> None:
    with pytest.raises(ValidationError):
        validate_password("Short-pass1")
    validate_password("a-long-staff-passphrase-42")


def test_a_staff_session_ends_with_the_browser_and_after_an_hour(
    client: Client, staff: User
) -> None:
    sign_in(client)
    cookie = client.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    session = client.session
    assert 0 < session.get_expiry_age() <= 3600


def test_the_admin_path_is_configurable() -> None:
    import helpcenter.urls

    try:
        with override_settings(ADMIN_PATH="staff-area/"):
            clear_url_caches()
            importlib.reload(helpcenter.urls)
            assert reverse("admin:index") == "/staff-area/"
    finally:
        clear_url_caches()
        importlib.reload(helpcenter.urls)
    assert reverse("admin:index") == "/admin/"
