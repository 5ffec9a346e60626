from typing import Any

from django.core.management.base import BaseCommand

from articles import search


class Command(BaseCommand):
    help = "検索の索引を作り直します（公開中の原因・FAQ・予防のヒント）。"

    def handle(self, *args: Any, **options: Any) -> None:
        count = search.rebuild()
        self.stdout.write(self.style.SUCCESS(f"検索の索引を作り直しました: {count} 件"))
