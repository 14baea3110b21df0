"""Run the 1EdTech (IMS) Open Badges 2.0 validator (`openbadges` 1.1.2) offline.

Run with the validator's own environment (scripts/ensure-ob2-validator):

    var/ob2-validator/venv/bin/python interop/ob2_validate.py request.json

`request.json` says what to validate and every document the validator may fetch:

    {
      "input": "https://…/awards/<uuid>/ob2",          # an assertion URL or JSON text, or
               {"baked": "<base64 PNG/SVG>"},         # a baked badge image
      "recipient": {"email": "…"},                    # optional: the trusted recipient profile
      "documents": {
        "<url>": {"status": 200, "content_type": "application/ld+json", "body": "<text>"},
        "<url>": {"status": 200, "content_type": "image/png", "body_base64": "<base64>"}
      }
    }

With `{"unbake": "<base64 PNG/SVG>"}` instead, it prints what the validator's own baking
library (openbadges_bakery.unbake) finds in the image, as `{"unbaked": "<text>"}` (the
validator passes SVG `verify` attributes on as bytes, which its input detection then rejects
on Python 3: see tests/awards/test_ob2_validator.py).

Each URL is served by the `responses` library exactly as given; any other request is refused
(a connection error, as if the host did not exist), and no socket is ever opened. The output
(stdout, JSON) is what `openbadges.verify(…, cache_backend=None)` returns — `report` (with
`valid`, `errorCount`, `warningCount`, `messages`), `graph`, `input` — plus `fetched` (the URLs
the validator asked for, in order) and `refused` (those it asked for that were not given).
"""

from __future__ import annotations

import base64
import io
import json
import re
import socket
import sys


def _no_sockets(*_args, **_kwargs):
    raise OSError("interop/ob2_validate.py: the network is off (serve documents instead)")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: ob2_validate.py REQUEST.json (or - for stdin)", file=sys.stderr)
        return 2
    if argv[1] == "-":
        request = json.load(sys.stdin)
    else:
        with open(argv[1], encoding="utf-8") as handle:
            request = json.load(handle)

    if "unbake" in request:
        from openbadges_bakery import unbake

        image = io.BytesIO(base64.b64decode(request["unbake"]))
        found = unbake(image)
        if isinstance(found, bytes):
            found = found.decode("utf-8")
        json.dump({"unbaked": found}, sys.stdout)
        sys.stdout.write("\n")
        return 0

    # Nothing reaches the network, whatever the validator or its libraries try.
    socket.socket.connect = _no_sockets  # type: ignore[method-assign]
    socket.create_connection = _no_sockets  # type: ignore[assignment]

    import openbadges
    import requests
    import responses

    fetched: list[str] = []
    refused: list[str] = []
    documents = request.get("documents", {})

    def serve(prepared):
        url = prepared.url
        fetched.append(url)
        document = documents.get(url)
        if document is None:
            refused.append(url)
            raise requests.ConnectionError(f"refused (not served by the test): {url}")
        if "body_base64" in document:
            body = base64.b64decode(document["body_base64"])
        else:
            body = document.get("body", "").encode("utf-8")
        headers = {"Content-Type": document.get("content_type", "application/json")}
        return int(document.get("status", 200)), headers, body

    badge_input = request["input"]
    if isinstance(badge_input, dict) and "baked" in badge_input:
        image = io.BytesIO(base64.b64decode(badge_input["baked"]))
        image.name = badge_input.get("name", "badge")
        badge_input = image

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in (responses.GET, responses.HEAD):
            mock.add_callback(method, re.compile(r".*"), callback=serve)
        # No cache at all: with one, results leak from one call (or run) to the next.
        result = openbadges.verify(
            badge_input,
            recipient_profile=request.get("recipient"),
            use_cache=False,
            cache_backend=None,
        )

    result["fetched"] = fetched
    result["refused"] = refused
    json.dump(result, sys.stdout, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
