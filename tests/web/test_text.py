"""User-written text: plain text is text, not HTML."""

from __future__ import annotations

from mosaics.core.text import plain_text, render_markdown


def test_plain_text_is_not_html_escaped() -> None:
    assert plain_text("R & D 3 < 4") == "R & D 3 < 4"
    assert plain_text('**Bold** "quoted" & <em>tagged</em>') == 'Bold "quoted" & tagged'
    assert plain_text("") == ""


def test_plain_text_keeps_no_markup_even_when_written_as_entities() -> None:
    # The text is meant to be escaped again wherever it becomes HTML: an encoded tag is text.
    assert plain_text("<script>alert(1)</script>Hello") == "Hello"
    assert plain_text("&lt;b&gt;x&lt;/b&gt;") == "<b>x</b>"


def test_render_markdown_still_escapes() -> None:
    assert render_markdown("R & D 3 < 4") == "<p>R &amp; D 3 &lt; 4</p>"
