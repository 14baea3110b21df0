"""Award one micro-credential version to many people at once, from a pasted or uploaded CSV
(`email,name` per line, header optional, UTF-8 with or without BOM).

A file that cannot be read as such a list (not UTF-8, too big, too many rows, NUL characters,
too many columns) is refused whole with the lines at fault, and nothing is awarded. Otherwise
`mosaics.awards.bulk.awards_issue_bulk` awards every good row and the page lists what was made,
what was already held and what was refused (with line numbers and reasons).
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from mosaics.awards.actions import MAX_TEXT, AwardRefused
from mosaics.awards.bulk import MAX_RECIPIENTS, awards_issue_bulk
from mosaics.awards.views_staff import _get_version_to_award
from mosaics.catalogue.models import Version

MAX_BYTES = 2 * 1024 * 1024
#: At most this many line errors are listed (the rest are counted).
MAX_LISTED = 50


class BulkForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Paste the list"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One learner per line: e-mail address, then (optionally) name, separated by a "
            "comma. A first line “email,name” is allowed."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("Or upload a CSV file"),
        required=False,
        help_text=gettext_lazy("UTF-8, at most 10,000 lines and 2 MB."),
    )
    narrative = forms.CharField(
        label=gettext_lazy("Narrative"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Why the badge is awarded; the same for everyone. Markdown."),
    )


def parse_recipients(data: bytes) -> tuple[list[tuple[str, str]], list[int], list[str]]:
    """(rows, their line numbers, problems). Any problem means the file is refused whole."""
    if len(data) > MAX_BYTES:
        return [], [], [_("The list is larger than 2 MB; split it into smaller files.")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return (
            [],
            [],
            [_("Line %(line)d is not UTF-8 text; save the file as CSV (UTF-8).") % {"line": line}],
        )
    problems: list[str] = []
    lines = text.splitlines()
    if len(lines) > MAX_RECIPIENTS + 1:
        return (
            [],
            [],
            [
                _("The list has %(count)d lines; at most %(max)d people can be awarded at once.")
                % {"count": len(lines), "max": MAX_RECIPIENTS}
            ],
        )
    bad_nul = [n for n, line in enumerate(lines, 1) if "\x00" in line]
    if bad_nul:
        return (
            [],
            [],
            [
                _("Line %(line)d contains a NUL character.") % {"line": n}
                for n in bad_nul[:MAX_LISTED]
            ],
        )
    rows: list[tuple[str, str]] = []
    numbers: list[int] = []
    reader = csv.reader(io.StringIO("\n".join(lines)), strict=True)
    try:
        for cells in reader:
            number = reader.line_num
            cells = [cell.strip() for cell in cells]
            if not any(cells):
                continue
            if not rows and not problems and cells[0].lower() in ("email", "e-mail"):
                continue  # the header
            if len(cells) > 2:
                problems.append(
                    _("Line %(line)d has %(count)d columns; write “email,name”.")
                    % {"line": number, "count": len(cells)}
                )
                continue
            rows.append((cells[0], cells[1] if len(cells) > 1 else ""))
            numbers.append(number)
    except csv.Error:
        problems.append(
            _("Line %(line)d is not valid CSV (check its quotes).") % {"line": reader.line_num}
        )
    if len(rows) > MAX_RECIPIENTS:
        problems.append(
            _("The list has %(count)d people; at most %(max)d can be awarded at once.")
            % {"count": len(rows), "max": MAX_RECIPIENTS}
        )
    if not problems and not rows:
        problems.append(_("The list is empty."))
    if len(problems) > MAX_LISTED:
        extra = len(problems) - MAX_LISTED
        more = _("… and %(count)d more lines with problems.") % {"count": extra}
        problems = [*problems[:MAX_LISTED], more]
    return rows, numbers, problems


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def bulk(request: HttpRequest, pk: int) -> HttpResponse:
    """Award a micro-credential version to everyone on a list."""
    version = _get_version_to_award(request.user, pk)
    data = request.POST if request.method == "POST" else None
    form = BulkForm(data, request.FILES if data is not None else None)
    errors: list[str] = []
    result = None
    status = 200
    if data is not None:
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            if upload is not None:
                raw = upload.read(MAX_BYTES + 1)
            else:
                raw = form.cleaned_data["text"].encode("utf-8")
            if upload is None and not form.cleaned_data["text"].strip():
                errors = [_("Paste a list or choose a file.")]
            else:
                recipients, lines, errors = parse_recipients(raw)
            if not errors:
                try:
                    result = awards_issue_bulk(
                        actor=request.user,
                        version=version,
                        recipients=recipients,
                        lines=lines,
                        narrative=form.cleaned_data["narrative"],
                    )
                except AwardRefused as refused:
                    errors = list(refused.messages)
        else:
            errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        if errors:
            status = 400
    return render(
        request,
        "awards/staff/bulk.html",
        {
            "version": version,
            "issuer": version.micro_credential.issuer,
            "no_longer_published": version.state != Version.State.PUBLISHED,
            "form": form,
            "errors": errors,
            "result": result,
        },
        status=status,
    )
