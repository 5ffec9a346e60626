"""`python manage.py setup_staff_2fa USER`: the user's authenticator app and recovery codes.

Prints a QR code (and the otpauth:// address) to scan with an authenticator app, and ten
single-use recovery codes to keep offline. The admin asks for a code from either at sign-in.
"""

from __future__ import annotations

import io
from typing import Any

import qrcode
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10


class Command(BaseCommand):
    help = "スタッフの2段階認証（認証アプリとリカバリーコード）を設定します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="スタッフのユーザー名")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="すでにある認証アプリとリカバリーコードを無効にして作り直す",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: options["username"]})
        except user_model.DoesNotExist as exc:
            raise CommandError(f"ユーザー「{options['username']}」は見つかりません。") from exc
        if not user.is_staff:
            raise CommandError(f"「{user}」はスタッフではありません（管理画面を使えません）。")
        existing = TOTPDevice.objects.filter(user=user).exists()
        if existing and not options["replace"]:
            raise CommandError(
                f"「{user}」には認証アプリが設定済みです。作り直すときは --replace を付けてください。"
            )
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=True)
        static = StaticDevice.objects.create(user=user, name="リカバリーコード", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        for code in codes:
            static.token_set.create(token=code)

        qr = qrcode.QRCode(border=1)
        qr.add_data(device.config_url)
        picture = io.StringIO()
        qr.print_ascii(out=picture, invert=True)
        self.stdout.write(f"「{user}」の2段階認証を設定しました。\n")
        self.stdout.write(
            "1. 認証アプリ（Google Authenticator、Microsoft Authenticator など）で読み取ります:"
        )
        self.stdout.write(picture.getvalue())
        self.stdout.write(f"   読み取れない場合は、このアドレスを登録します: {device.config_url}\n")
        self.stdout.write(
            "2. リカバリーコード（各1回だけ使えます。紙に書いて、人目につかない場所に保管してください）:"
        )
        for code in codes:
            self.stdout.write(f"   {code}")
        self.stdout.write(
            "\n管理画面のログインでは、パスワードのあとに認証アプリの6桁のコードを入力します。"
        )
