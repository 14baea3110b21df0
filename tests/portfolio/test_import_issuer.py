"""What was proved about an imported badge's issuer, kept apart from what the badge says.

Anyone can make a did:key, write "Harvard Medical School" as the issuer's name, name their own
address as the recipient and sign: the signature is valid, so the badge imports. But nothing
we trust vouches for that key, so no page — the learner's or a public one — may say "Issued by
Harvard Medical School" or a plain "Valid": the name is shown as written in the badge, not
confirmed, with the DID that signed it. One of our own awards, signed with our issuer's
published key, shows its issuer as confirmed.
"""

from __future__ import annotations

import html as html_module
import json
import re
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mosaics.portfolio import actions, imports
from mosaics.portfolio.imports import external_badge_import
from mosaics.portfolio.models import ExternalBadge
from mosaics.vc import dataintegrity, keys, ob3
from tests import factories as f
from tests.personas import client_for

pytestmark = pytest.mark.django_db

FAMOUS = "Harvard Medical School"


def _did_key_badge(
    email: str,
    *,
    issuer_name: str = FAMOUS,
    title: str = "Doctor of Medicine",
    key: keys.Ed25519Multikey | None = None,
    issuer_id: str | None = None,
    endorsement: list[dict[str, Any]] | None = None,
) -> tuple[bytes, keys.Ed25519Multikey]:
    """An OB 3.0 badge to `email`, signed with a fresh did:key (a key anyone can make)."""
    key = key or keys.Ed25519Multikey.generate()
    achievement = ob3.achievement(
        id=f"urn:uuid:{uuid.uuid4()}",
        name=title,
        description="Completed the programme.",
        criteria={"narrative": "Completed the programme."},
    )
    credential = ob3.achievement_credential(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=ob3.profile(id=issuer_id or key.controller, name=issuer_name),
        credential_subject=ob3.achievement_subject(
            achievement=achievement, identifier=[ob3.identity_object(identity=email)]
        ),
        valid_from="2024-01-01T00:00:00Z",
        name=title,
        endorsement=endorsement,
    )
    signed = dataintegrity.sign(
        credential, key, cryptosuite="eddsa-rdfc-2022", verification_method=key.id
    )
    return json.dumps(signed).encode(), key


def _text(response: Any) -> str:
    """The page as a reader gets it (entities decoded, whitespace collapsed)."""
    assert response.status_code == 200
    return " ".join(html_module.unescape(response.content.decode()).split())


def _unconfirmed_words(did: str) -> str:
    return f"Issuer's name as written in the badge: {FAMOUS} — not confirmed (signed by {did})"


def _never_vouched(text: str) -> None:
    """Nothing on the page puts the forged name after "issued by", or calls it plainly valid."""
    assert not re.search(r"issued by\W*(<[^>]*>\W*)*" + FAMOUS, text, re.I)
    assert "Issued by" not in text
    assert not re.search(r"(>|, |✓ )Valid\b", text)


@pytest.fixture
def forged(world: Any) -> tuple[ExternalBadge, str]:
    data, key = _did_key_badge(world.learner.email)
    badge = external_badge_import(actor=world.learner, data=data, filename="harvard.json")
    return badge, key.controller


def test_a_did_key_badge_with_a_famous_name_imports_but_its_issuer_is_not_confirmed(
    world: Any, forged: tuple[ExternalBadge, str]
) -> None:
    badge, did = forged
    assert did.startswith("did:key:z6Mk")
    # The signature is valid and it names the learner: it is accepted...
    assert badge.verified
    assert badge.status == "valid"
    # ...but what was proved is only that a key of that DID signed it.
    assert badge.report["issuer"] == {
        "confirmed": False,
        "name": FAMOUS,
        "id": did,
        "signer": did,
        "how": "",
    }
    identity = imports.issuer_identity(badge)
    assert not identity.confirmed
    assert imports.issuer_text(identity) == _unconfirmed_words(did)
    assert imports.issued_by_label(identity) == "Issuer"
    assert imports.status_text(badge) == "Signature valid; issuer not confirmed"
    assert did in imports.confirmation_text(identity)


def test_every_page_shows_the_name_as_unconfirmed_with_the_did(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    data, key = _did_key_badge(world.learner.email)
    did = key.controller
    learner = client_for(client, world.learner)
    upload = SimpleUploadedFile("harvard.json", data, content_type="application/json")
    response = learner.post(reverse("portfolio:import"), {"file": upload}, follow=True)

    # The import result page (the badge's own page, with the message).
    text = _text(response)
    badge = ExternalBadge.objects.get(owner=world.learner)
    assert response.redirect_chain[-1][0] == reverse("portfolio:external", args=[badge.uuid])
    assert _unconfirmed_words(did) in text
    assert "Signature valid; issuer not confirmed" in text
    assert "Accepted, issuer not confirmed." in text
    assert "Who issued it is not confirmed" in text
    _never_vouched(text)

    # The import page's list of imports.
    text = _text(learner.get(reverse("portfolio:import")))
    assert _unconfirmed_words(did) in text
    _never_vouched(text)

    # The mosaic: the tile's accessible name, what the tile says, and the text alternative.
    page = learner.get(reverse("portfolio:mosaic"))
    text = _text(page)
    svg = re.search(r"<svg .*?</svg>", page.content.decode(), re.S)
    assert svg is not None
    labels = [
        html_module.unescape(label) for label in re.findall(r'aria-label="([^"]+)"', svg.group(0))
    ]
    assert labels == [
        f"Doctor of Medicine, {_unconfirmed_words(did)}, external badge, "
        "Signature valid; issuer not confirmed"
    ]
    assert "⚠ Issuer not confirmed" in text
    assert "✓ Signature valid · External" in text
    table = text[text.index('id="mosaic-table"') :]
    table = table[: table.index("</table>")]
    assert f"<td>{_unconfirmed_words(did)}</td>" in table
    assert "<td>Signature valid; issuer not confirmed</td>" in table
    _never_vouched(text)

    # The collection, the owner's page and the public one.
    collection = actions.collection_create(actor=world.learner, name="For employers")
    actions.collection_add(actor=world.learner, collection=collection, external_badges=[badge])
    text = _text(learner.get(reverse("portfolio:collection", args=[collection.uuid])))
    assert f"<td>{_unconfirmed_words(did)}</td>" in text
    assert "<td>Signature valid; issuer not confirmed</td>" in text
    _never_vouched(text)

    actions.collection_share(actor=world.learner, collection=collection, shared=True)
    client.logout()
    text = _text(client.get(reverse("portfolio:collection_public", args=[collection.uuid])))
    assert "<dt>Issuer</dt><dd>" + _unconfirmed_words(did) + "</dd>" in text
    assert "Signature valid; issuer not confirmed (checked when it was imported)" in text
    _never_vouched(text)


def test_our_own_award_imported_shows_its_issuer_as_confirmed(client: Any, world: Any) -> None:
    award = f.award(f.published_version(world.issuer), email=world.learner.email)
    badge = external_badge_import(actor=world.learner, data=json.dumps(award.credential).encode())
    assert badge.verified
    identity = imports.issuer_identity(badge)
    assert (identity.confirmed, identity.how, identity.name) == (True, "key", world.issuer.name)
    assert identity.signer.startswith("did:web:")
    assert imports.issued_by_label(identity) == "Issued by"
    assert imports.status_text(badge) == "Valid"
    confirmed = f"{world.issuer.name} (confirmed)"

    learner = client_for(client, world.learner)
    text = _text(learner.get(reverse("portfolio:external", args=[badge.uuid])))
    assert f"<dt>Issued by</dt> <dd>{confirmed}" in text
    assert "its published key signed the badge" in text
    assert "not confirmed" not in text

    page = learner.get(reverse("portfolio:mosaic"))
    labels = [
        html_module.unescape(x) for x in re.findall(r'aria-label="([^"]+)"', page.content.decode())
    ]
    assert f"{award.title}, issued by {confirmed}, external badge, Valid" in labels
    assert "✓ Valid · External" in page.content.decode()

    collection = actions.collection_create(actor=world.learner, name="Mine")
    actions.collection_add(actor=world.learner, collection=collection, external_badges=[badge])
    actions.collection_share(actor=world.learner, collection=collection, shared=True)
    client.logout()
    text = _text(client.get(reverse("portfolio:collection_public", args=[collection.uuid])))
    assert f"<dt>Issued by</dt><dd>{confirmed}</dd>" in text
    assert "Valid (checked when it was imported)" in text


def test_our_issuers_name_on_someone_elses_key_is_not_confirmed(world: Any) -> None:
    """Writing one of our issuers' names, or even its DID, does not borrow its confirmation."""
    from mosaics.issuance import signing

    data, key = _did_key_badge(world.learner.email, issuer_name=world.issuer.name)
    badge = external_badge_import(actor=world.learner, data=data)
    assert badge.verified
    identity = imports.issuer_identity(badge)
    assert not identity.confirmed
    assert identity.signer == key.controller
    assert imports.issuer_text(identity).startswith(
        f"Issuer's name as written in the badge: {world.issuer.name} — not confirmed"
    )

    # Our issuer's DID as the issuer, signed with another key: the signature is not the
    # issuer's, so the badge is rejected, and nobody is named as its signer.
    f.with_key(world.issuer)
    data, _key = _did_key_badge(
        world.learner.email,
        issuer_name=world.issuer.name,
        issuer_id=signing.issuer_did(world.issuer),
    )
    badge = external_badge_import(actor=world.learner, data=data)
    assert not badge.verified
    identity = imports.issuer_identity(badge)
    assert (identity.confirmed, identity.signer) == (False, "")
    assert "signed by" not in imports.issuer_text(identity)


def test_what_the_badge_says_is_cleaned_and_clipped(world: Any) -> None:
    spoof = "\u202eloohcS lacideM dravraH\u202c\n\t" + "x" * 1000
    data, _key = _did_key_badge(world.learner.email, issuer_name=spoof, title="A\u200b\x07B " * 200)
    badge = external_badge_import(actor=world.learner, data=data)
    assert badge.verified
    for text in (badge.issuer_name, badge.title, badge.report["issuer"]["name"]):
        assert len(text) <= imports.MAX_TEXT
        assert not re.search("[\u202a-\u202e\u200b\x00-\x1f]", text)
    assert badge.issuer_name.startswith("loohcS lacideM dravraH x")
    assert imports.clean_text("a" * 400).endswith("…")
    assert len(imports.clean_text("a" * 400)) == imports.MAX_TEXT
    assert imports.clean_text(None) == ""
    assert imports.clean_text({"name": "x"}) == ""


def test_an_endorsement_by_a_did_key_is_not_confirmed_either(client: Any, world: Any) -> None:
    endorser_key = keys.Ed25519Multikey.generate()
    endorsement = ob3.endorsement_credential(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=ob3.profile(id=endorser_key.controller, name="World Health Organization"),
        credential_subject=ob3.endorsement_subject(
            id="https://example.org/badge", endorsement_comment="We vouch for this."
        ),
        valid_from="2024-01-01T00:00:00Z",
        name="Endorsement",
    )
    endorsement = dataintegrity.sign(
        endorsement,
        endorser_key,
        cryptosuite="eddsa-rdfc-2022",
        verification_method=endorser_key.id,
    )
    data, _key = _did_key_badge(world.learner.email, endorsement=[endorsement])
    badge = external_badge_import(actor=world.learner, data=data)
    assert badge.verified, badge.report
    text = _text(
        client_for(client, world.learner).get(reverse("portfolio:external", args=[badge.uuid]))
    )
    assert (
        "Endorser's name as written in the endorsement: World Health Organization — not "
        f"confirmed (signed by {endorser_key.controller})"
    ) in text
    assert "Signature valid; endorser not confirmed" in text
    assert "(verified)" not in text
    _never_vouched(text)


def test_a_badge_imported_before_issuers_were_told_apart_is_not_confirmed(world: Any) -> None:
    badge = ExternalBadge.objects.create(
        owner=world.learner, format="ob3-json", payload="{}", verified=True, status="valid",
        title="Old import", issuer_name=FAMOUS,
        report={"summary": {"issuer": {"id": "did:key:z6Mkx"}}},
    )  # fmt: skip
    identity = imports.issuer_identity(badge)
    assert not identity.confirmed
    assert imports.issuer_text(identity) == (
        f"Issuer's name as written in the badge: {FAMOUS} — not confirmed (it gives its issuer "
        "as did:key:z6Mkx)"
    )
    assert imports.status_text(badge) == "Signature valid; issuer not confirmed"
    # A stored report cannot claim confirmation without saying how.
    badge.report = {"issuer": {"confirmed": True, "name": FAMOUS}}
    assert not imports.issuer_identity(badge).confirmed
