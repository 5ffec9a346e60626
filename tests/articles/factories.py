"""Small factories: plain functions that make published content with sensible defaults."""

from __future__ import annotations

import itertools
from typing import Any

from articles.models import FAQ, Cause, PreventionTip, Remedy, Service, Status, SupportChannel

_seq = itertools.count(1)


def service(**kw: Any) -> Service:
    n = next(_seq)
    defaults = {"slug": f"svc-{n}", "name": f"サービス{n}", "short_name": f"S{n}", "order": n}
    return Service.objects.create(**{**defaults, **kw})


def cause(services: list[Service] | None = None, remedies: int = 2, **kw: Any) -> Cause:
    n = next(_seq)
    defaults = {
        "slug": f"cause-{n}",
        "code": f"T{n}",
        "title": f"原因{n}のタイトル",
        "summary": f"原因{n}の要約です。",
        "body": f"原因{n}の**本文**です。",
        "status": Status.PUBLISHED,
        "order": n,
    }
    obj = Cause.objects.create(**{**defaults, **kw})
    if services:
        obj.services.set(services)
    for i in range(remedies):
        Remedy.objects.create(cause=obj, order=i, title=f"対処{n}-{i}", body=f"- 手順{i}")
    return obj


def faq(causes: list[Cause] | None = None, services: list[Service] | None = None, **kw: Any) -> FAQ:
    n = next(_seq)
    defaults = {
        "slug": f"faq-{n}",
        "question": f"質問{n}ですか？",
        "answer": f"回答{n}です。",
        "status": Status.PUBLISHED,
        "order": n,
    }
    obj = FAQ.objects.create(**{**defaults, **kw})
    obj.causes.set(causes or [])
    obj.services.set(services or [])
    return obj


def tip(
    causes: list[Cause] | None = None, services: list[Service] | None = None, **kw: Any
) -> PreventionTip:
    n = next(_seq)
    defaults = {
        "slug": f"tip-{n}",
        "title": f"ヒント{n}",
        "summary": f"ヒント{n}の要約。",
        "body": f"ヒント{n}の本文。",
        "status": Status.PUBLISHED,
        "order": n,
    }
    obj = PreventionTip.objects.create(**{**defaults, **kw})
    obj.causes.set(causes or [])
    obj.services.set(services or [])
    return obj


def channel(service: Service, **kw: Any) -> SupportChannel:
    n = next(_seq)
    defaults = {
        "slug": f"channel-{n}",
        "title": f"窓口{n}",
        "summary": f"窓口{n}の要約。",
        "methods": "メール、チャット",
        "status": Status.PUBLISHED,
        "order": n,
    }
    return SupportChannel.objects.create(service=service, **{**defaults, **kw})
