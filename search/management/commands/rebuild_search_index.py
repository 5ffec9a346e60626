from typing import Any

from django.core.management.base import BaseCommand

from search import index


class Command(BaseCommand):
    help = "検索の索引を作り直します（公開中の原因・FAQ・予防のヒント）。"

    def handle(self, *args: Any, **options: Any) -> None:
        count = index.rebuild()
        self.stdout.write(self.style.SUCCESS(f"検索の索引を作り直しました: {count} 件"))
