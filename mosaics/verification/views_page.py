"""The public verification page: paste, upload or link to any badge and see, in plain words,
who issued it, to whom, for what, endorsed by whom, and whether it stands."""

from __future__ import annotations

from typing import Any, Final

from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from mosaics.verification import fetch as safe_fetch
from mosaics.verification import service
from mosaics.verification.forms import VerifyForm

#: Links opened per client and window (seconds): a simple limit on server-side requests.
FETCH_LIMIT: Final = 10
FETCH_WINDOW: Final = 600

HEADLINES: Final = {
    "valid": gettext_lazy(
        "This badge is valid: its issuer's signature checks out, and it has not been changed, "
        "revoked or suspended."
    ),
    "invalid": gettext_lazy("This badge is not valid: it could not be verified."),
    "unconfirmed": gettext_lazy(
        "This badge could not be confirmed: nothing wrong was found, but it could not be shown "
        "that its issuer made it or that it still stands."
    ),
    "expired": gettext_lazy("This badge has expired."),
    "not_yet_valid": gettext_lazy("This badge is not valid yet."),
    "revoked": gettext_lazy("This badge has been revoked by its issuer."),
    "suspended": gettext_lazy("This badge has been suspended by its issuer for now."),
}


def _client(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _rate_limited(request: HttpRequest) -> bool:
    """Count one link opened by this client; True when over the limit."""
    key = f"verification:fetch:{_client(request)}"
    if cache.add(key, 1, FETCH_WINDOW):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, FETCH_WINDOW)
        return False
    return count > FETCH_LIMIT


def _render(
    request: HttpRequest,
    form: VerifyForm,
    verdict: service.Verdict | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    method = form.data.get("method") if form.is_bound else None
    if method not in ("paste", "upload", "url"):
        method = "paste"
    context: dict[str, Any] = {
        "form": form,
        "method": method,
        "verdict": verdict,
        "headline": HEADLINES.get(verdict.status, "") if verdict else "",
        "fetch_limit": FETCH_LIMIT,
    }
    return render(request, "verification/verify.html", context, status=status)


def _verify_link(request: HttpRequest, form: VerifyForm, url: str) -> service.Verdict | None:
    """Verify what ``url`` holds: answered from our database when it is our own address,
    otherwise opened with the safe fetcher (rate-limited). Problems go on the form."""
    try:
        local = service.local_resolve(url)
    except safe_fetch.FetchError as exc:
        form.add_error("url", exc.message)
        return None
    if local is not None:
        verdict = service.verify_any(local[1])
    else:
        if _rate_limited(request):
            form.add_error(
                "url",
                _(
                    "You have opened many links in a short time; please wait a few minutes, "
                    "or download the badge and upload the file."
                ),
            )
            return None
        try:
            fetched = safe_fetch.fetch(url)
        except safe_fetch.FetchError as exc:
            form.add_error("url", exc.message)
            return None
        verdict = service.verify_any(fetched.content, allow_fetch=True)
    verdict.source_url = url
    return verdict


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
def _verify(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
    elif request.GET.get("url"):
        form = VerifyForm({"method": "url", "url": request.GET.get("url", "")[:4000]})
    else:
        return _render(request, VerifyForm())
    if not form.is_valid():
        return _render(request, form, status=400)
    data = form.cleaned_data
    if data["method"] == "url":
        verdict = _verify_link(request, form, data["url"])
        if verdict is None:
            return _render(request, form, status=400)
    else:
        verdict = service.verify_any(data["payload"])
    return _render(request, form, verdict)


@csrf_exempt  # checked by _verify, once the body is known to be readable
def verify(request: HttpRequest) -> HttpResponse:
    """`verification:verify` — public; anyone may verify a badge here."""
    if request.method == "POST":
        try:
            request.POST  # noqa: B018 - parse now, to answer an oversized body in words
            request.FILES  # noqa: B018
        except (RequestDataTooBig, TooManyFieldsSent):
            form = VerifyForm({"method": "paste"})
            form.is_valid()
            form.errors.clear()
            form.add_error(
                None,
                _(
                    "What you sent is too large to be a badge (at most 4 MB of text, or a file "
                    "of up to 5 MB)."
                ),
            )
            return _render(request, form, status=413)
    return _verify(request)
