"""Helpers of the browser test of the learner's journey (issue 5): the micro-credential set up in
the database, more browser contexts checked by axe like the `page` fixture's, and the steps the
journey repeats (signing in through the form, filling a demonstration)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core import mail
from django.urls import reverse

from mosaics.catalogue.models import Version
from tests import factories as f
from tests.browser.awards_support import click, link_in, local
from tests.browser.conftest import AXE_SOURCE, AccessibilityLog, run_axe
from tests.learning.builders import learning_version

TITLE = "Community Data Storytelling"
FIELD_OF_STUDY = "Data analytics"
#: A small PDF (the upload check reads its bytes, not its name).
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def journey_version(world: Any) -> Version:
    """A published micro-credential of the School of Business issuer (keyed), listed in the
    public catalogue: two competencies with a three-level rubric (Beginning, Proficient — the
    passing level —, Exemplary) and two reflection prompts."""
    return learning_version(world.issuer, title=TITLE, field_of_study=FIELD_OF_STUDY)


def competency_statements(version: Version) -> list[str]:
    return [str(c.statement) for c in version.competencies.order_by("position")]


@contextmanager
def other_page(browser: Any, log: AccessibilityLog) -> Iterator[Any]:
    """A page in a browser context of its own (its own cookies: another person), with the same
    axe check on every load as the `page` fixture, reported in the same log."""
    context = browser.new_context(locale="en-CA", viewport={"width": 1280, "height": 900})
    context.add_init_script(path=str(AXE_SOURCE))
    page = context.new_page()
    page.set_default_timeout(15_000)
    pending: list[str] = []

    def check(loaded: Any) -> None:
        pending.append(loaded.url)
        try:
            log.violations.extend(run_axe(loaded))
            log.checked.append(loaded.url)
        finally:
            pending.remove(loaded.url)

    page.on("load", check)
    try:
        yield page
    finally:
        for _ in range(200):  # let the checks of the last loads finish (at most ~10 s)
            if not pending:
                break
            page.wait_for_timeout(50)
        context.close()


def go(page: Any, live_server: Any, path: str) -> None:
    page.goto(str(live_server.url) + path)


def follow(page: Any, name: str, *, within: Any = None, exact: bool = True) -> None:
    """Follow the link called `name` (in `within`, else anywhere) and wait for the next page."""
    (within or page).get_by_role("link", name=name, exact=exact).click()
    page.wait_for_load_state()


def heading(page: Any) -> str:
    return str(page.locator("h1").inner_text())


def main_text(page: Any) -> str:
    """The page's main content as one line of words (whitespace collapsed)."""
    return " ".join(page.locator("main").inner_text().split())


def sign_in_with_password(page: Any, live_server: Any, user: Any) -> None:
    """Sign in through the sign-in page, as a person would."""
    go(page, live_server, reverse("account_login"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(f.PASSWORD)
    click(page, "Sign In")


def mail_to(address: str, subject_part: str = "", *, body_part: str = "") -> Any:
    """The last e-mail sent to `address` whose subject contains `subject_part` and whose body
    contains `body_part`."""
    found = [
        message
        for message in mail.outbox
        if address in message.to
        and subject_part in str(message.subject)
        and body_part in str(message.body)
    ]
    assert found, f"no such e-mail to {address}: " + repr([(m.to, m.subject) for m in mail.outbox])
    return found[-1]


def open_link(page: Any, live_server: Any, message: Any, path_part: str) -> None:
    """Open the link of `message` whose address contains `path_part` (on the live server)."""
    page.goto(local(link_in(str(message.body), path_part), live_server))


def write_demonstration(page: Any, *, narrative: str, organisation: str, role: str) -> None:
    """Fill in the narrative and the setting of the open demonstration page and save it."""
    page.get_by_label("Narrative").fill(narrative)
    setting = page.get_by_role("group", name="Where you did this work")
    setting.get_by_label("Organisation").fill(organisation)
    setting.get_by_label("Your role").fill(role)
    setting.get_by_label("Kind of setting").select_option(label="Community")
    setting.get_by_label("From").fill("2024-09-01")
    click(page, "Save draft")


def add_link(page: Any, *, url: str, title: str, visibility: str) -> None:
    form = page.get_by_role("form", name="Add a link")
    form.get_by_label("Web address").fill(url)
    form.get_by_label("Title").fill(title)
    form.get_by_label("Who may see it").select_option(label=visibility)
    click(page, "Add the link", within=form)


def add_file(page: Any, *, name: str, title: str, visibility: str, data: bytes = PDF) -> None:
    form = page.get_by_role("form", name="Add a file")
    form.get_by_label("File", exact=True).set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": data}
    )
    form.get_by_label("Title").fill(title)
    form.get_by_label("Who may see it").select_option(label=visibility)
    click(page, "Upload the file", within=form)


def demonstration_path(version: Version, competency: Any) -> str:
    return reverse(
        "learning:demonstration",
        kwargs={"slug": version.micro_credential.slug, "competency": competency.pk},
    )


# The focused element: its tag and its name (its label, else its text), whitespace collapsed.
_FOCUSED = """() => {
  const e = document.activeElement;
  const label = e.labels && e.labels.length ? e.labels[0].innerText : e.innerText;
  return [e.tagName.toLowerCase(), (label || '').replace(/\\s+/g, ' ').trim()];
}"""

# Whether the focused element shows it: it matches :focus-visible and draws an outline or a
# shadow (not colour alone).
_FOCUS_VISIBLE = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  return e.matches(':focus-visible') && (outline || style.boxShadow !== 'none');
}"""


def focused(page: Any) -> tuple[str, str]:
    tag, name = page.evaluate(_FOCUSED)
    return str(tag), str(name)


def tab_to_next_control(page: Any) -> tuple[tuple[str, str], bool]:
    """Press Tab until the focus leaves the focused control (a date field takes several Tab
    stops: its month, day, year and calendar button); return the control then focused, and
    whether its focus is visible when it arrives."""
    leaving = page.evaluate_handle("() => document.activeElement")
    for _ in range(6):
        page.keyboard.press("Tab")
        if not page.evaluate("(left) => document.activeElement === left", leaving):
            return focused(page), focus_is_visible(page)
    raise AssertionError(f"Tab does not leave {focused(page)}")


def focus_is_visible(page: Any) -> bool:
    return bool(page.evaluate(_FOCUS_VISIBLE))
