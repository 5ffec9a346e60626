"""Markdown to sanitised HTML: rendered once on save, never trusted, even from staff.

markdown turns text into HTML; nh3 (the Rust ammonia sanitiser) then keeps only an allow-list of
tags and attributes, drops event handlers and `style`, and only lets http(s)/mailto URLs through.
"""

import markdown as md
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "h3", "h4", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "kbd", "mark",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render(text: str) -> str:
    """Markdown source to safe HTML. Headings are demoted so a body never competes with the page's h1/h2."""
    html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(
            f"</h{level}>", f"</h{level + 2}>"
        )
    return sanitise(html)
