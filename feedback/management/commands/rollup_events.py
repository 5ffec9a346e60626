from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from feedback.rollup import rollup


class Command(BaseCommand):
    help = "保存期間（EVENT_RETENTION_DAYS）より古い診断の記録と記事の評価を、日ごとの件数にまとめて削除します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.EVENT_RETENTION_DAYS,
            help="これより古いものをまとめる（日）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        events, votes = rollup(options["days"])
        self.stdout.write(
            f"{options['days']}日より古い診断の記録 {events:,} 件と記事の評価 {votes:,} 件を、日ごとの件数にまとめました。"
        )
