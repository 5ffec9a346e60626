"""Offline after one visit: the service worker (`static/js/sw.js`, served at `/sw.js` so that it
may look after the whole site), the list of what it keeps (`/offline/manifest.json`) and the page
it shows for anything it does not have (`/offline/`).

The manifest names every public page (the sitemap's, plus search and the flow's first step) and
the pages' static files by their hashed names, under a version made of the code's release and
the content version: the worker keeps one whole copy per version and replaces it when the
version moves (see the comment at the top of sw.js).
"""

from __future__ import annotations

import functools
import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from articles import caching, version
from articles.sitemaps import SITEMAPS

from . import pagecache
from .staticfiles import minify

ASSETS = ("css/site.css", "js/app.js", "vendor/htmx-2.0.11.min.js")
QUEUE_MAX = 50  # beacons kept while offline
NETWORK_TIMEOUT_MS = 4000  # then the copy kept is shown


def _config() -> dict[str, object]:
    return {
        "admin": "/" + settings.ADMIN_PATH,
        "static": settings.STATIC_URL,
        "manifest": reverse("offline_manifest"),
        "offline": reverse("offline"),
        "beacon": reverse("feedback:beacon"),
        "flow": reverse("diagnosis:diagnose"),
        "flowAnswer": reverse("feedback:flow_answer"),
        "pack": reverse("diagnosis:pack"),
        "flowScript": staticfiles_storage.url("js/flow.js"),
        "timeout": NETWORK_TIMEOUT_MS,
        "queueMax": QUEUE_MAX,
        "notes": {
            "offlineFragment": _(
                "You are offline, and this was not saved on this device. The fixes you have "
                "opened before still work: see the offline page."
            ),
            "offlineFlow": _(
                "You are offline: these steps are worked out on this device. What you answer "
                "is sent once you are connected again."
            ),
            "notSent": _(
                "You are offline: this was not sent. Send it again when you are connected."
            ),
        },
    }


@functools.cache
def _source() -> str:
    """The worker's code, minified as the static files are (`helpcenter.staticfiles`)."""
    path = finders.find("js/sw.js")
    with open(path, encoding="utf-8") as file:  # type: ignore[arg-type]
        return minify("js/sw.js", file.read())


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """`/sw.js`: the worker with this site's settings and notes filled in. Browsers check it for
    changes at least once a day; `no-cache` makes them check at every visit (a 304)."""
    config = json.dumps(_config(), ensure_ascii=False)
    body = _source().replace("const CONFIG={};", f"const CONFIG={config};", 1)
    etag = '"' + hashlib.blake2b(body.encode(), digest_size=12).hexdigest() + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    patch_cache_control(response, no_cache=True)
    return response


def pages() -> list[str]:
    """Every public page's path: what the worker keeps for reading offline."""
    found = [reverse("search:search"), reverse("diagnosis:diagnose"), reverse("diagnosis:pack")]
    for sitemap in SITEMAPS.values():
        site = sitemap()
        found += [site.location(item) for item in site.items()]
    return list(dict.fromkeys(found))


@require_safe
@caching.public
def manifest(request: HttpRequest) -> JsonResponse:
    content_version, changed = version.stamp()
    return JsonResponse(
        {
            "version": f"{pagecache.release()}-{content_version}-{changed.timestamp() if changed else 0:.0f}",
            "assets": [staticfiles_storage.url(name) for name in ASSETS],
            "pages": pages(),
        }
    )


@require_safe
@caching.public
def offline_page(request: HttpRequest) -> HttpResponse:
    return render(request, "offline.html", {"breadcrumbs": []})
