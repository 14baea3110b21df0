"""User-written text: markdown rendered to HTML that is safe to show anyone."""

from __future__ import annotations

import html as _html

import markdown as _markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

# What markdown may produce. No raw HTML survives: markdown's own HTML output is filtered to
# these tags, and links get rel="noopener noreferrer nofollow".
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> SafeString:
    """Markdown to sanitised HTML. Headings start at h2 (the page owns h1)."""
    html = _markdown.markdown(
        text or "",
        extensions=["extra", "sane_lists"],
        output_format="html",
    )
    html = html.replace("<h1", "<h2").replace("</h1>", "</h2>")
    return mark_safe(sanitise_html(html))  # noqa: S308 - sanitised by nh3 just above


def plain_text(text: str) -> str:
    """Markdown to plain text (for credential descriptions and search): tags stripped and
    entities decoded, so "R & D" stays "R & D" (escape it again wherever it becomes HTML)."""
    return _html.unescape(nh3.clean(_markdown.markdown(text or ""), tags=set())).strip()
