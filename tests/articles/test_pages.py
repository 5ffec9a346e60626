"""Every browsable page answers in Japanese with what it should show; drafts and unknown slugs 404."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from articles.models import FAQ, Cause, PreventionTip, Service, Status

pytestmark = pytest.mark.django_db


def get(client: Client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert response["Content-Type"].startswith("text/html")
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.html is not None and soup.html["lang"] == "ja"
    assert len(soup.find_all("h1")) == 1
    return soup


def text(soup: BeautifulSoup) -> str:
    return soup.get_text(" ", strip=True)


def test_home_offers_the_guided_flow_one_list_of_causes_faqs_and_tips(
    client: Client, content: object
) -> None:
    soup = get(client, "/")
    assert "ログインできません" in soup.h1.get_text()
    assert soup.find("a", href="/diagnose/") is not None
    # Every published cause once, the urgent ones first and marked, each with its services.
    items = soup.select("ul.cause-list > li")
    causes = list(Cause.objects.published().order_by("-urgent", "order", "pk"))
    assert [li.a["href"] for li in items] == [c.get_absolute_url() for c in causes]
    services = list(Service.objects.all())
    for item, cause in zip(items, causes, strict=True):
        tags = [t.get_text(strip=True) for t in item.select(".tag")]
        mine = [s.short_name for s in services if s in cause.services.all()]
        if len(mine) == len(services):  # one label saying so, not every name again
            assert len(tags) == 1 and tags[0] not in {s.short_name for s in services}
        else:
            assert tags == mine, (cause.slug, tags)
        assert bool(item.select(".badge-urgent")) == cause.urgent, cause.slug
    for service in services:
        assert soup.find("a", href=service.get_absolute_url(), string=service.name) is not None
    for faq in FAQ.objects.published().filter(featured=True):
        assert soup.find("summary", string=faq.question) is not None
    assert soup.find("a", href=PreventionTip.objects.published().first().get_absolute_url())
    assert "パスワード・確認コードをたずねることはありません" in text(soup)


def test_cause_page_shows_numbered_remedies_related_faqs_tips_and_breadcrumbs(
    client: Client, content: object
) -> None:
    cause = Cause.objects.get(code="C3")
    soup = get(client, cause.get_absolute_url())
    assert soup.h1.get_text(strip=True) == cause.title
    steps = soup.select("ol.steps > li")
    assert [s.h3.get_text(strip=True) for s in steps] == list(
        cause.remedies.values_list("title", flat=True)
    )
    faq_questions = {s.get_text(strip=True) for s in soup.select("details.faq summary")}
    assert faq_questions == set(
        FAQ.objects.published().filter(causes=cause).values_list("question", flat=True)
    )
    tip_links = {a["href"] for a in soup.select("#tips-title ~ ul a")}
    assert tip_links == {
        t.get_absolute_url() for t in PreventionTip.objects.published().filter(causes=cause)
    }
    crumbs = [a.get_text(strip=True) for a in soup.select("nav.breadcrumbs a")]
    assert crumbs == ["ホーム", "ログインできない原因", cause.title]
    assert (
        soup.select_one("nav.breadcrumbs a[aria-current=page]").get_text(strip=True) == cause.title
    )


def test_article_pages_carry_canonical_url_and_json_ld(client: Client, content: object) -> None:
    cause = Cause.objects.get(code="C1")
    soup = get(client, cause.get_absolute_url() + "?utm=x")
    assert (
        soup.find("link", rel="canonical")["href"]
        == "http://127.0.0.1:8000" + cause.get_absolute_url()
    )
    blocks = [json.loads(s.string) for s in soup.find_all("script", type="application/ld+json")]
    types = {b["@type"] for b in blocks}
    assert types == {"TechArticle", "BreadcrumbList"}
    article = next(b for b in blocks if b["@type"] == "TechArticle")
    assert article["headline"] == cause.title and article["inLanguage"] == "ja"
    crumbs = next(b for b in blocks if b["@type"] == "BreadcrumbList")["itemListElement"]
    assert crumbs[-1]["item"].endswith(cause.get_absolute_url())


def test_urgent_cause_warns_first(client: Client, content: object) -> None:
    cause = Cause.objects.get(code="C9")
    soup = get(client, cause.get_absolute_url())
    warning = soup.select_one(".notice-urgent")
    assert warning is not None and cause.warning in warning.get_text()


def test_service_page_lists_only_that_services_causes(client: Client, content: object) -> None:
    shopping = Service.objects.get(slug="shopping")
    soup = get(client, shopping.get_absolute_url())
    hrefs = {a["href"] for a in soup.select(".card-list a.card-title")}
    assert Cause.objects.get(code="C1").get_absolute_url() in hrefs
    assert Cause.objects.get(code="C10").get_absolute_url() not in hrefs  # Seller Central only
    assert shopping.name in soup.h1.get_text()


def test_faq_list_is_accordions_and_filters_by_service(client: Client, content: object) -> None:
    soup = get(client, "/faq/")
    published = FAQ.objects.published()
    assert len(soup.select("details.faq")) == published.count()
    seller = Service.objects.get(slug="seller-central")
    filtered = get(client, "/faq/?service=seller-central")
    assert len(filtered.select("details.faq")) == published.filter(services=seller).count()
    current = filtered.select_one(".filters a[aria-current=page]")
    assert current.get_text(strip=True) == seller.short_name
    get(client, "/faq/?service=nope", status=404)


def test_faq_page_tips_and_contact_pages(client: Client, content: object) -> None:
    faq = FAQ.objects.published().filter(causes__isnull=False).first()
    soup = get(client, faq.get_absolute_url())
    assert soup.h1.get_text(strip=True) == faq.question
    assert soup.select(".card-list a.card-title")

    tips = get(client, "/tips/")
    assert len(tips.select(".card-list > li")) == PreventionTip.objects.published().count()
    tip = PreventionTip.objects.published().first()
    assert get(client, tip.get_absolute_url()).h1.get_text(strip=True) == tip.title

    contact = get(client, "/contact/")
    for service in Service.objects.all():
        assert contact.find("a", href=service.get_contact_url())
        page = get(client, service.get_contact_url())
        assert service.support_channels.published().exists()
        for channel in service.support_channels.published():
            assert page.find(id=channel.slug) is not None


def test_seller_central_contact_explains_the_path_to_support(
    client: Client, content: object
) -> None:
    soup = get(client, "/contact/seller-central/")
    channels = Service.objects.get(slug="seller-central").support_channels.published()
    for channel in channels:
        section = soup.find(id=channel.slug)
        assert channel.title in section.h2.get_text()
        badges = [b.get_text(strip=True) for b in section.select(".methods .badge")]
        assert badges == channel.method_list and badges  # how to reach them, as staff wrote it
        if channel.url:
            assert section.find("a", href=channel.url)


@pytest.mark.parametrize(
    "model,url_name",
    [(Cause, "cause"), (FAQ, "faq"), (PreventionTip, "tip")],
)
def test_drafts_are_not_public(client: Client, content: object, model: type, url_name: str) -> None:
    obj = model.objects.published().first()
    url = obj.get_absolute_url()
    client.get(url)
    obj.status = Status.DRAFT
    obj.save()
    soup = get(client, url, status=404)
    assert "見つかりません" in soup.h1.get_text()
    assert url not in client.get("/sitemap.xml").content.decode()
    assert obj.get_absolute_url() not in client.get("/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/causes/no-such-cause/",
        "/faq/no-such/",
        "/tips/none/",
        "/services/none/",
        "/contact/none/",
        "/nope",
    ],
)
def test_unknown_pages_get_the_japanese_404(client: Client, content: object, url: str) -> None:
    soup = get(client, url, status=404)
    assert "ページが見つかりません" in soup.h1.get_text()
    assert soup.find("a", href="/") is not None


def test_post_to_a_page_is_refused_not_an_error(client: Client, content: object) -> None:
    assert client.post("/").status_code == 405


def test_sitemap_and_robots(client: Client, content: object) -> None:
    sitemap = client.get("/sitemap.xml").content.decode()
    for obj in [
        *Cause.objects.published(),
        *FAQ.objects.published(),
        *PreventionTip.objects.published(),
    ]:
        assert f"<loc>http://127.0.0.1:8000{obj.get_absolute_url()}</loc>" in sitemap
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots.content.decode()


def test_pages_send_a_strict_csp_and_no_inline_script(client: Client, content: object) -> None:
    response = client.get(Cause.objects.get(code="C1").get_absolute_url())
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    soup = BeautifulSoup(response.content, "html.parser")
    for script in soup.find_all("script"):
        assert script.get("src") or script.get("type") == "application/ld+json"
    assert not soup.select("[style]")
    assert not [tag for tag in soup.find_all(True) if any(a.startswith("on") for a in tag.attrs)]


def test_content_pages_set_no_cookie(client: Client, content: object) -> None:
    """Only pages that post (the flow, search) carry a CSRF token; reading sets nothing."""
    cause = Cause.objects.published().first()
    for url in ("/", "/causes/", cause.get_absolute_url(), "/faq/", "/tips/", "/contact/"):
        response = client.get(url)
        assert not response.cookies, url
        assert "Cookie" not in response.get("Vary", ""), url
    assert "csrftoken" in client.get("/diagnose/").cookies
