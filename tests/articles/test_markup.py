"""Markdown is sanitised on save, even when staff write it."""

from __future__ import annotations

import pytest

from articles import markup
from tests.articles import factories

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)">click</p>',
    "<body onload=alert(1)>",
    '<object data="x.swf"></object>',
    '<embed src="x.swf">',
    '<form action="https://evil.example"><input name=password></form>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<details open ontoggle=alert(1)>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    '![x](x" onerror="alert(1))',
    "<style>body{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<!-- <script>alert(1)</script> -->",
]


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_xss_vectors_are_neutralised(vector: str) -> None:
    html = markup.render(f"前の文。\n\n{vector}\n\n後の文。").lower()
    for bad in ("<script", "javascript:", "vbscript:", "data:text", "onerror", "onload", "onclick",
                "ontoggle", "<iframe", "<object", "<embed", "<form", "<input", "<style", "style=",
                "<meta", "<base", "<link", "<svg", "<math", "<img"):  # fmt: skip
        assert bad not in html, (vector, html)
    assert "前の文" in html and "後の文" in html


def test_ordinary_markdown_survives() -> None:
    html = markup.render(
        "### 手順\n\n1. **設定**を開く\n2. [ヘルプ](https://www.amazon.co.jp/)を選ぶ\n\n- 項目"
    )
    assert "<h3>手順</h3>" in html
    assert "<ol>" in html and "<strong>設定</strong>" in html
    assert 'href="https://www.amazon.co.jp/"' in html and 'rel="noopener noreferrer"' in html
    assert "<ul>" in html


def test_top_level_headings_are_demoted_below_the_page_headings() -> None:
    html = markup.render("# 見出し1\n\n## 見出し2")
    assert "<h1>" not in html and "<h2>" not in html
    assert "<h3>見出し1</h3>" in html and "<h4>見出し2</h4>" in html


@pytest.mark.django_db
def test_staff_markdown_is_sanitised_on_save() -> None:
    cause = factories.cause(body="本文 <script>alert('x')</script> [リンク](javascript:alert(1))")
    assert "<script" not in cause.body_html and "javascript:" not in cause.body_html
    remedy = cause.remedies.first()
    remedy.body = "<img src=x onerror=alert(1)>手順"
    remedy.save()
    assert "onerror" not in remedy.body_html and "手順" in remedy.body_html
