"""Download links and sealed files: only links this system made open, until they expire, on any key still listed;
a sealed file opens only under its own object key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.contracts.attachment_links import BadLink, LinkGrant, LinkVariant, make_link_token, read_link_token
from services.contracts.credentials import ClientKind
from services.contracts.payload_keys import PayloadKeyring
from services.engines.sealed_objects import ObjectUnsealError, seal_object, unseal_object

OLD = PayloadKeyring("k1", {"k1": b"1" * 32})
ROTATED = PayloadKeyring("k2", {"k1": b"1" * 32, "k2": b"2" * 32})
OTHER = PayloadKeyring("k1", {"k1": b"x" * 32})
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def grant(*, expires_in: timedelta = timedelta(minutes=5)) -> LinkGrant:
    return LinkGrant(
        case_id="c1",
        attachment_id="a1",
        variant=LinkVariant.FILE,
        client_id="unit-key-1",
        kind=ClientKind.UNIT,
        subject="LX-ZJJ",
        expires_at=NOW + expires_in,
    )


def test_a_link_opens_until_it_expires_and_names_whom_it_was_made_for() -> None:
    token = make_link_token(grant(), OLD)
    read = read_link_token(token, OLD, now=NOW)
    assert read == grant()
    assert read.principal().client_id == "unit-key-1" and read.principal().kind is ClientKind.UNIT
    with pytest.raises(BadLink, match="expired"):
        read_link_token(token, OLD, now=NOW + timedelta(minutes=5))


def test_a_link_made_before_a_key_rotation_still_opens() -> None:
    assert read_link_token(make_link_token(grant(), OLD), ROTATED, now=NOW) == grant()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token.replace(token.split(".")[0], token.split(".")[0][:-2] + "xx"),  # claims changed
        lambda token: token[:-3] + "abc",  # signature changed
        lambda token: token.replace(".k1.", ".k9."),  # unknown key id
        lambda token: "not-a-token",
        lambda token: token + ".extra",
    ],
)
def test_altered_links_do_not_open(tamper: object) -> None:
    token = make_link_token(grant(), OLD)
    with pytest.raises(BadLink):
        read_link_token(tamper(token), OLD, now=NOW)  # type: ignore[operator]


def test_a_link_signed_by_another_system_does_not_open() -> None:
    with pytest.raises(BadLink, match="signature"):
        read_link_token(make_link_token(grant(), OTHER), OLD, now=NOW)


def test_sealed_files_open_under_their_own_key_only() -> None:
    sealed = seal_object(b"photo bytes", object_key="cases/c1/a1/file", keyring=OLD)
    assert b"photo bytes" not in sealed
    assert unseal_object(sealed, object_key="cases/c1/a1/file", keyring=ROTATED) == b"photo bytes"
    with pytest.raises(ObjectUnsealError, match="failed authentication"):
        unseal_object(sealed, object_key="cases/c2/a1/file", keyring=OLD)  # moved to another case
    with pytest.raises(ObjectUnsealError, match="not in HOTLINE_PAYLOAD_KEYS"):
        unseal_object(
            seal_object(b"x", object_key="k", keyring=PayloadKeyring("k9", {"k9": b"9" * 32})),
            object_key="k",
            keyring=OLD,
        )
    with pytest.raises(ObjectUnsealError, match="not a sealed object"):
        unseal_object(b"plain", object_key="k", keyring=OLD)
