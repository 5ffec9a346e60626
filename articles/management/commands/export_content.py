from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles import content, export


class Command(BaseCommand):
    help = (
        "公開中のコンテンツと診断フローを、load_content が読む形で fixtures/ に書き出します。"
        "下書きは書き出しません。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=str(content.FIXTURES_DIR), help="書き出すフォルダ")
        parser.add_argument(
            "--check",
            action="store_true",
            help="何も書き込まず、変わるファイルがあれば失敗する（CI 用）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["output"])
        result = export.render(directory)
        for reference in result.dropped:
            self.stdout.write(
                self.style.WARNING(
                    f"書き出さないレコード（下書き）への参照を外しました: {reference}"
                )
            )
        if options["check"]:
            changed = result.changed(directory)
            if changed:
                raise CommandError(
                    f"データベースの内容と {directory} が一致しません。"
                    "書き出すと次のファイルが変わります（何も書き込んでいません）:\n"
                    + "\n".join(f"  - {name}" for name in changed)
                )
            self.stdout.write(
                self.style.SUCCESS(f"一致しています: {len(result.files)} ファイル（変更 0）")
            )
            return
        changed = result.write(directory)
        for name in changed:
            self.stdout.write(f"書き出しました: {name}")
        self.stdout.write(
            self.style.SUCCESS(f"書き出し完了: {len(result.files)} ファイル（変更 {len(changed)}）")
        )
