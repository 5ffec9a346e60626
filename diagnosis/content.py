"""The flow's fixture file (`fixtures/flow.yaml`): questions with their options and weights,
loaded by `articles.content` after the content they point to (registered in `apps.py`)."""

from __future__ import annotations

from typing import Any

from articles import moves
from articles.content import PUBLISHED, Kind
from articles.export import Layout, describe
from articles.models import Cause, Service
from articles.models import normalise_text as text

from .models import Option, OptionCause, Question

OPTION_KEYS = {"slug", "label", "hint", "service", "services", "neutral", "weights", "decisive"}


class Options:
    key = "options"

    def of_record(self, obj: Question) -> list[dict[str, Any]]:
        return [
            {
                **option,
                "services": sorted(option["services"]),
                "decisive": sorted(option["decisive"]),
            }
            for option in self.as_written(obj)
        ]

    def as_written(self, obj: Question) -> list[dict[str, Any]]:
        """The options in the order a fixture file writes them (`export_content`): weights as
        staff entered them, related services in the site's order."""
        result = []
        for option in obj.options.order_by("order", "pk"):
            weights = list(option.weights.select_related("cause").order_by("pk"))
            result.append(
                {
                    "slug": option.slug,
                    "label": text(option.label),
                    "hint": text(option.hint),
                    "service": option.service.slug if option.service else None,
                    "services": list(option.services.values_list("slug", flat=True)),
                    "neutral": option.neutral,
                    "weights": {w.cause.slug: w.weight for w in weights},
                    "decisive": [w.cause.slug for w in weights if w.decisive],
                }
            )
        return result

    def of_entry(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                "slug": raw["slug"],
                "label": text(raw.get("label") or ""),
                "hint": text(raw.get("hint") or ""),
                "service": raw.get("service"),
                "services": sorted(raw.get("services") or []),
                "neutral": bool(raw.get("neutral", False)),
                "weights": dict(raw.get("weights") or {}),
                "decisive": sorted(raw.get("decisive") or []),
            }
            for raw in items
        ]

    def check(
        self, items: Any, where: str, known: dict[type, set[str]], problems: list[str]
    ) -> None:
        if not isinstance(items, list) or not items:
            problems.append(f"{where}: 項目 'options' に選択肢を1つ以上書いてください")
            return
        for i, option in enumerate(items, 1):
            at = f"{where}: options の {i} 番目"
            if not isinstance(option, dict):
                problems.append(f"{at}: 「- slug: ...」の形で書いてください")
                continue
            at = f"{at} (slug={option.get('slug', '?')})"
            for key in option:
                if key not in OPTION_KEYS:
                    problems.append(f"{at}: 項目 '{key}' は使えません")
            for name in ("slug", "label"):
                if not str(option.get(name) or "").strip():
                    problems.append(f"{at}: 項目 '{name}' がありません")
            weights = option.get("weights") or {}
            if not isinstance(weights, dict):
                problems.append(
                    f"{at}: 項目 'weights' は「原因のスラッグ: 重み」の形で書いてください"
                )
                weights = {}
            for cause, weight in weights.items():
                if cause not in known[Cause]:
                    problems.append(f"{at}: 項目 'weights': '{cause}' という原因はありません")
                if not isinstance(weight, int) or isinstance(weight, bool):
                    problems.append(f"{at}: 項目 'weights': '{cause}' の重みは整数で書いてください")
            for cause in option.get("decisive") or []:
                if cause not in known[Cause]:
                    problems.append(f"{at}: 項目 'decisive': '{cause}' という原因はありません")
            refs = [option["service"]] if option.get("service") else []
            for ref in [*refs, *(option.get("services") or [])]:
                if ref not in known[Service]:
                    problems.append(f"{at}: '{ref}' というサービスはありません")

    def known(self, items: list[dict[str, Any]]) -> dict[type, set[str]]:
        options = [o for item in items for o in item.get("options") or []]
        in_files = set(self.slugs(options))
        return {Option: in_files | set(Option.objects.values_list("slug", flat=True))}

    def slugs(self, items: list[dict[str, Any]]) -> list[str]:
        return [str(o.get("slug")) for o in items if isinstance(o, dict) and o.get("slug")]

    def write(self, question: Question, options: list[dict[str, Any]]) -> None:
        """Update options in place (conditions of later questions point at them), drop the rest."""
        keep = [o["slug"] for o in options]
        Option.objects.filter(question=question).exclude(slug__in=keep).delete()
        services = {s.slug: s for s in Service.objects.all()}
        causes = moves.by_slug(Cause)  # renamed causes by their old slugs too
        for i, data in enumerate(options, 1):
            option, _ = Option.objects.update_or_create(
                slug=data["slug"],
                defaults={
                    "question": question,
                    "order": i * 10,
                    "label": data["label"],
                    "hint": data["hint"],
                    "service": services.get(data["service"] or ""),
                    "neutral": data["neutral"],
                },
            )
            option.services.set([services[s] for s in data["services"]])
            option.weights.all().delete()
            OptionCause.objects.bulk_create(
                [
                    OptionCause(
                        option=option,
                        cause=causes[slug],
                        weight=weight,
                        decisive=slug in data["decisive"],
                    )
                    for slug, weight in data["weights"].items()
                    if slug in causes  # a cause staff deleted: no weight toward it
                ]
            )
            for slug in set(data["decisive"]) - set(data["weights"]):
                OptionCause.objects.create(
                    option=option, cause=causes[slug], weight=0, decisive=True
                )


FLOW = Kind(
    "flow.yaml",
    Question,
    fields=("kind", "text", "help", "status", "order"),
    required=("kind", "text"),
    defaults={**PUBLISHED, "help": ""},
    many={"services": ("services", Service), "after": ("after", Option)},
    children=Options(),
)

# How export_content writes flow.yaml: `order` right after the slug, and an option's keys only
# when they say something.
describe(
    FLOW,
    Layout(
        ("order", "kind", "text", "help", "status", "services", "after", "options"),
        optional=frozenset({"status", "services", "after"}),
        child_keys=(
            "slug",
            "label",
            "hint",
            "service",
            "services",
            "neutral",
            "weights",
            "decisive",
        ),
        child_defaults={
            "hint": "",
            "service": None,
            "services": [],
            "neutral": False,
            "weights": {},
            "decisive": [],
        },
        child_refs={"service": Service, "services": Service, "weights": Cause, "decisive": Cause},
        child_model=Option,
    ),
)
