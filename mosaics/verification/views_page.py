"""The public verification page: paste, upload or link to any badge and see, in plain words,
who issued it, to whom, for what, endorsed by whom, and whether it stands.

Opening a link is a request our server makes to another site, so:

- it happens only on a POST with the CSRF token — the visitor pressing "Verify". A link in the
  page's address (``/verify?url=…``, e.g. from another site) only fills in the form; links to
  our own site are the exception: they are answered from our database, never fetched, and shown
  at once;
- every request a verification makes to another site counts against the visitor's budget of
  :data:`FETCH_LIMIT` requests per :data:`FETCH_WINDOW` seconds: the link itself, each part
  of an Open Badges 2.0 badge published elsewhere (its hosted copy, BadgeClass, Issuer, key,
  revocation list), and what another issuer publishes for an Open Badges 3.0 badge or CLR (DID
  documents, profiles, status lists) — at most :data:`mosaics.verification.service.MAX_FETCHES`
  of those per verification. A pasted or uploaded badge is checked the same way: the visitor
  asked us to verify it.

The result tells what was proved from what the badge claims: "Issued by" only for an issuer
whose key a document resolved from its identifier vouches for (one of ours, or confirmed by its
domain); otherwise the name is shown as written in the badge, not confirmed, and a valid
signature reads "Signature valid — issuer not confirmed", never a bare "Valid".

Settings:

``MOSAICS_TRUSTED_PROXY_COUNT`` (default 0)
    How many reverse proxies of our own stand in front of the application. With 0 the visitor is
    ``REMOTE_ADDR``. With *n* > 0 the visitor is the *n*-th address from the right of
    ``X-Forwarded-For`` (each of our proxies appends the address it was reached from, so what
    stands to the left of those is whatever the visitor sent, and is ignored); when the header
    holds fewer than *n* addresses, or that one is not an IP address, ``REMOTE_ADDR`` is used.
    Set it to exactly the number of proxies: too high lets visitors choose their address (and
    escape the limit), too low puts every visitor behind one proxy in one budget. IPv6 visitors
    are counted by their /64 network (one visitor usually holds all of one).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Final

from django.conf import settings
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

#: Requests to other sites per visitor and window (seconds): a link, and each part of an OB 2.0
#: badge published elsewhere, count one each (a linked OB 2.0 badge costs up to five).
FETCH_LIMIT: Final = 30
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
#: A valid signature by an issuer nothing vouches for.
UNCONFIRMED_ISSUER_LABEL: Final = gettext_lazy("Signature valid — issuer not confirmed")
UNCONFIRMED_ISSUER_HEADLINE: Final = gettext_lazy(
    "The signature is valid and the badge has not been changed, revoked or suspended — but who "
    "issued it is not confirmed: the issuer's name is only what the badge itself says."
)


def status_words(verdict: service.Verdict) -> tuple[str, str]:
    """(label, headline) of a verdict: a valid badge whose issuer is not confirmed says so."""
    if verdict.status == "valid" and not verdict.summary.issuer_confirmed:
        return str(UNCONFIRMED_ISSUER_LABEL), str(UNCONFIRMED_ISSUER_HEADLINE)
    return verdict.status_label, str(HEADLINES.get(verdict.status, ""))


def _address(value: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = str(value or "").strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def _client(request: HttpRequest) -> str:
    """Who the visitor is, for the rate limit (see ``MOSAICS_TRUSTED_PROXY_COUNT`` above)."""
    address = _address(request.META.get("REMOTE_ADDR"))
    try:
        proxies = int(getattr(settings, "MOSAICS_TRUSTED_PROXY_COUNT", 0) or 0)
    except (TypeError, ValueError):
        proxies = 0
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            address = _address(forwarded[-proxies]) or address
    if address is None:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _rate_limited(request: HttpRequest) -> bool:
    """Count one request to another site for this visitor; True when over the limit."""
    key = f"verification:fetch:{_client(request)}"
    if cache.add(key, 1, FETCH_WINDOW):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, FETCH_WINDOW)
        return False
    return count > FETCH_LIMIT


def _limit_message() -> str:
    return _(
        "You have opened many links in a short time; please wait a few minutes, "
        "or download the badge and upload the file."
    )


def _charge(request: HttpRequest) -> service.Charge:
    """What the verification asks before each request to another site: counts it against the
    visitor's budget, and refuses it when that is spent."""

    def charge(url: str) -> None:
        if _rate_limited(request):
            raise safe_fetch.FetchLimited(_limit_message())

    return charge


def _render(
    request: HttpRequest,
    form: VerifyForm,
    verdict: service.Verdict | None = None,
    *,
    status: int = 200,
    link_to_confirm: str = "",
) -> HttpResponse:
    method = form.data.get("method") if form.is_bound else None
    if method not in ("paste", "upload", "url"):
        method = "paste"
    limited = next(
        (c.message for c in (verdict.failed if verdict else []) if c.code == "fetch_limited"), ""
    )
    label, headline = status_words(verdict) if verdict else ("", "")
    context: dict[str, Any] = {
        "form": form,
        "method": method,
        "verdict": verdict,
        "status_label": label,
        "headline": headline,
        "fetch_limit": FETCH_LIMIT,
        "link_to_confirm": link_to_confirm,
        "limited": limited,
    }
    return render(request, "verification/verify.html", context, status=status)


def _verify_link(request: HttpRequest, form: VerifyForm, url: str) -> service.Verdict | None:
    """Verify what ``url`` holds: answered from our database when it is our own address,
    otherwise opened with the safe fetcher, every request counted against the visitor's budget.
    Problems go on the form."""
    try:
        local = service.local_resolve(url)
    except safe_fetch.FetchError as exc:
        form.add_error("url", exc.message)
        return None
    charge = _charge(request)
    if local is not None:
        verdict = service.verify_any(local[1], allow_fetch=True, charge=charge)
    else:
        try:
            charge(url)
            fetched = safe_fetch.fetch(url)
        except safe_fetch.FetchError as exc:
            form.add_error("url", exc.message)
            return None
        verdict = service.verify_any(fetched.content, allow_fetch=True, charge=charge)
    verdict.source_url = url
    return verdict


def _link_in_address(request: HttpRequest, url: str) -> HttpResponse:
    """``GET /verify?url=…``: anyone can send a visitor here, so nothing is fetched — the link
    fills in the form, and the visitor presses "Verify" (a POST with the CSRF token). Our own
    site's links are answered from our database, without fetching, and shown at once."""
    form = VerifyForm({"method": "url", "url": url})
    if not form.is_valid():
        return _render(request, form, status=400)
    url = form.cleaned_data["url"]
    try:
        local = service.local_resolve(url)
        if local is None:
            safe_fetch.check_url(url)  # its shape only: no name is looked up, nothing opened
    except safe_fetch.FetchError as exc:
        form.add_error("url", exc.message)
        return _render(request, form, status=400)
    if local is None:
        return _render(request, form, link_to_confirm=url)
    verdict = service.verify_any(local[1])
    verdict.source_url = url
    return _render(request, form, verdict)


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
def _verify(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        if request.GET.get("url"):
            return _link_in_address(request, request.GET.get("url", "")[:4000])
        return _render(request, VerifyForm())
    form = VerifyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form, status=400)
    data = form.cleaned_data
    if data["method"] == "url":
        verdict = _verify_link(request, form, data["url"])
        if verdict is None:
            return _render(request, form, status=400)
    else:
        # The visitor asked us to verify it: what its issuer publishes may be fetched.
        verdict = service.verify_any(data["payload"], allow_fetch=True, charge=_charge(request))
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
