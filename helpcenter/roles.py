"""Staff roles, set up after every `migrate` (never by hand):

- 編集者 (editors) write: they add and change content and the flow; what they add starts as a
  draft, and they cannot publish, unpublish or restore an earlier version;
- 公開担当 (publishers) can do all that, and publish, unpublish, restore and delete (and let
  load_content bring back what was deleted, by removing its entry in 削除したコンテンツ).

Superusers can do everything. Put each staff user in one group in the admin (ユーザー).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

EDITORS = "編集者"
PUBLISHERS = "公開担当"

# (app label, model): the actions editors have; publishers also delete and publish.
WRITTEN = {
    ("articles", "cause"): ("view", "add", "change"),
    ("articles", "faq"): ("view", "add", "change"),
    ("articles", "preventiontip"): ("view", "add", "change"),
    ("articles", "supportchannel"): ("view", "add", "change"),
    ("articles", "remedy"): ("view", "add", "change", "delete"),  # rows of a cause's form
    ("articles", "service"): ("view",),
    ("diagnosis", "question"): ("view", "add", "change"),
    ("diagnosis", "option"): ("view", "add", "change", "delete"),
    ("diagnosis", "optioncause"): ("view", "add", "change", "delete"),
    ("search", "synonym"): ("view", "add", "change"),
    ("articles", "tombstone"): ("view",),
    ("articles", "oldslug"): ("view",),
    ("articles", "draft"): ("view",),  # drafts are written and discarded in each record's form
    ("feedback", "flowevent"): ("view",),
    ("feedback", "searchlog"): ("view",),
    ("feedback", "vote"): ("view", "change"),  # comments are marked handled
    ("diagnosis", "remedystat"): ("view",),
}
DELETED_BY_PUBLISHERS = {("articles", "tombstone"), ("articles", "draft")}
PUBLISHABLE = {("articles", "cause"), ("articles", "faq"), ("articles", "preventiontip")}
PUBLISHABLE |= {("articles", "supportchannel"), ("diagnosis", "question")}


def _permissions(pairs: list[tuple[str, str, str]]) -> list[Permission]:
    query = Q(pk__in=[])
    for app, model, codename in pairs:
        query |= Q(content_type__app_label=app, content_type__model=model, codename=codename)
    return list(Permission.objects.filter(query))


def ensure_roles(**kwargs: Any) -> None:
    editor: list[tuple[str, str, str]] = []
    publisher: list[tuple[str, str, str]] = []
    for (app, model), actions in WRITTEN.items():
        for action in actions:
            editor.append((app, model, f"{action}_{model}"))
        deletes = {"delete"} if "add" in actions or (app, model) in DELETED_BY_PUBLISHERS else set()
        publisher += [(app, model, f"{a}_{model}") for a in sorted({*actions, *deletes})]
        if (app, model) in PUBLISHABLE:
            publisher.append((app, model, f"publish_{model}"))
    Group.objects.get_or_create(name=EDITORS)[0].permissions.set(_permissions(editor))
    Group.objects.get_or_create(name=PUBLISHERS)[0].permissions.set(_permissions(publisher))
