from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles import content


class Command(BaseCommand):
    help = "fixtures/ のコンテンツを読み込みます。スタッフが編集したレコードは上書きしません（--force を除く）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="スタッフの編集も上書きする")
        parser.add_argument("--dir", default=str(content.FIXTURES_DIR), help="読み込むフォルダ")

    def handle(self, *args: Any, **options: Any) -> None:
        from pathlib import Path

        try:
            report = content.load(Path(options["dir"]), force=options["force"])
        except content.ContentError as exc:
            raise CommandError(
                "コンテンツを読み込めませんでした。データベースは変更していません。\n"
                + "\n".join(f"  - {p}" for p in exc.problems)
            ) from exc
        for label in report.kept:
            self.stdout.write(
                self.style.WARNING(
                    f"スタッフが編集済みのため残しました: {label}（上書きするには --force）"
                )
            )
        for label in report.deleted:
            self.stdout.write(
                self.style.WARNING(
                    f"スタッフが削除したため読み込みませんでした: {label}（戻すには --force）"
                )
            )
        for label in report.restored:
            self.stdout.write(
                self.style.WARNING(f"スタッフが削除していたものを --force で戻しました: {label}")
            )
        deleted = f"、削除を保持 {len(report.deleted)} 件" if report.deleted else ""
        restored = f"、削除から復元 {len(report.restored)} 件" if report.restored else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"読み込み完了: 新規 {len(report.created)} 件、更新 {len(report.updated)} 件、"
                f"変更なし {len(report.unchanged)} 件、スタッフの編集を保持 {len(report.kept)} 件"
                f"{deleted}{restored}"
            )
        )
