"""The guided flow worked out offline (static/js/flow.js over /diagnose/pack.json) reads exactly
like the site's own steps.

flow.js runs in Node over a few hundred answer sets: every path's result and the steps after
"it did not work", plus random, odd and damaged queries (unknown answers, answers that do not
apply, a change of answer, escalation, a fix that worked). Each step it renders is compared,
element by element and word by word, with the step the site renders for the same query.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from diagnosis import flow, pack, paths, ranking
from diagnosis import graph as flowgraph
from diagnosis.forms import FlowQueryForm
from diagnosis.ranking import Graph, Learned
from helpcenter.staticfiles import minify

RUNNER = Path(__file__).with_name("flow_node.js")
SOURCE = Path(settings.BASE_DIR) / "static" / "js" / "flow.js"
PATH = "/diagnose/"


class Tokens(HTMLParser):
    """Elements with their attributes, and text without white space (which HTML ignores here)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[tuple[str, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if named.get("name") == "csrfmiddlewaretoken":
            named["value"] = "<token>"  # masked afresh for every page
        self.out.append(("<", tag, *(f"{k}={v}" for k, v in sorted(named.items()))))

    def handle_endtag(self, tag: str) -> None:
        self.out.append((">", tag))

    def handle_data(self, data: str) -> None:
        text = "".join(data.split())
        if text:
            self.out.append(("text", text))


def tokens(html: str) -> list[tuple[str, ...]]:
    parser = Tokens()
    parser.feed(html)
    parser.close()
    return parser.out


def run_flow_js(data: dict, token: str, cases: list[str], script: Path) -> list[dict]:
    node = shutil.which("node")
    assert node, "Node is needed to run static/js/flow.js (npm is part of `make test`)"
    payload = json.dumps({"pack": data, "token": token, "cases": cases}, ensure_ascii=False)
    done = subprocess.run(
        [node, str(RUNNER), str(script)],
        input=payload,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


def site_step(graph: Graph, search: str, learned: Learned | None) -> tuple[str, str]:
    """The step the site renders for this query string: its kind and its HTML."""
    request = RequestFactory().get(PATH + "?" + search)
    form = FlowQueryForm(request.GET)
    assert form.is_valid(), form.errors
    screen = flow.screen(graph, form.flow_query(), PATH, learned)
    html = render_to_string("diagnosis/diagnose.html#step", {"screen": screen}, request=request)
    return screen.kind, html


def cases_for(graph: Graph, flow_id: str, rng: random.Random) -> list[str]:
    every = [o for q in graph.questions for o in q.options]
    remedies = [r.id for c in graph.causes for r in c.remedies]
    cases: list[str] = []
    # Every path's result, and a few steps further down its fix list.
    endings = list(paths.endings(graph))
    for (service, answers), cleaned in rng.sample(endings, min(120, len(endings))):
        base = [("f", flow_id), ("service", service), *(("a", a) for a in answers)]
        cases.append(urlencode(base))
        fixes = [r.id for r in ranking.rank_answers(graph, cleaned).fixes]
        tried = fixes[: rng.randint(1, max(1, len(fixes)))]
        cases.append(urlencode(base + [("tried", t) for t in tried]))
        if fixes and rng.random() < 0.4:
            cases.append(urlencode([*base, ("tried", fixes[0]), ("resolved", fixes[-1])]))
        if rng.random() < 0.3:
            cases.append(urlencode([*base, ("escalate", "1")]))
        if rng.random() < 0.3 and len(answers) > 0:
            question = graph.option(answers[0])
            assert question is not None
            cases.append(urlencode([*base, ("change", question.question)]))
    # Odd and damaged ones: random answers from anywhere, unknown slugs, a question sent empty.
    for _ in range(120):
        pairs: list[tuple[str, str | int]] = [("f", flow_id)]
        roll = rng.random()
        if roll < 0.8:
            service_question = graph.service_question
            assert service_question is not None
            pairs.append(("service", rng.choice(service_question.options).slug))
        elif roll < 0.9:
            pairs.append(("service", "no-such-service"))
        picked = rng.sample(every, rng.randint(0, 7))
        pairs += [("a", o.slug) for o in picked]
        if rng.random() < 0.15:
            pairs.append(("a", "no-such-answer"))
        if rng.random() < 0.2:
            pairs.append(("q", rng.choice(graph.questions).slug))
        if rng.random() < 0.2:
            pairs.append(("change", rng.choice(graph.questions).slug))
        pairs += [("tried", t) for t in rng.sample(remedies, rng.randint(0, 3))]
        if rng.random() < 0.1:
            pairs.append(("resolved", rng.choice(remedies)))
        if rng.random() < 0.1:
            pairs.append(("escalate", "1"))
        cases.append(urlencode(pairs))
    return cases


@pytest.mark.parametrize("learned_order", [False, True], ids=["staff-order", "learned-order"])
def test_the_offline_flow_shows_what_the_site_shows(
    content: None, learned_order: bool, tmp_path: Path
) -> None:
    graph = flowgraph.current()
    learned: Learned | None = None
    if learned_order:  # every cause's fixes the other way round, as learning might put them
        learned = {c.slug: tuple(r.id for r in reversed(c.remedies)) for c in graph.causes}
    data = json.loads(json.dumps(pack.pack(graph, learned), ensure_ascii=False))
    rng = random.Random(13 + learned_order)
    cases = cases_for(graph, flow.new_flow_id(), rng)
    # As production serves it: minified (helpcenter.staticfiles), which the browser tests,
    # served the source, do not see.
    script = tmp_path / "flow.min.js"
    script.write_text(minify("js/flow.js", SOURCE.read_text()))
    offline = run_flow_js(data, "token", cases, script)

    kinds: set[str] = set()
    for search, mine in zip(cases, offline, strict=True):
        kind, html = site_step(graph, search, learned)
        kinds.add(kind)
        assert mine["kind"] == kind, search
        expected, got = tokens(html), tokens(mine["html"])
        if expected != got:
            at = next(i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b)
            pytest.fail(
                f"?{search}: flow.js differs at token {at}:\n"
                f"  site:    {expected[max(0, at - 3) : at + 3]}\n"
                f"  flow.js: {got[max(0, at - 3) : at + 3]}"
            )
    assert kinds == {"question", "result", "resolved", "escalate"}


def test_the_pack_is_served_with_the_flow_and_kept_offline(content: None, client: Client) -> None:
    response = client.get("/diagnose/pack.json")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    data = response.json()
    graph = flowgraph.current()
    assert [q["slug"] for q in data["questions"]] == [q.slug for q in graph.questions]
    assert data["strings"]["next"] == "次へ"  # in the visitor's language
    assert data["siteName"] == settings.SITE_NAME
    manifest = client.get("/offline/manifest.json").json()
    assert "/diagnose/pack.json" in manifest["pages"]
