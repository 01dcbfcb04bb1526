"""Personal data on the case event log: ciphertext on the bus, any listed key opens it, tampering is refused."""

from __future__ import annotations

import os

import pytest

from services.contracts.case_event_log import PersonalData, SealedData
from services.contracts.payload_keys import PayloadKeyring
from services.contracts.tickets import Caller
from services.engines.sealed_data import UnsealError, seal, unseal

PHONE = "13812345678"
DATA = PersonalData(
    description="楼下饭店油烟扰民", address="河口镇幸福家园3号楼", caller=Caller(name="王女士", phone=PHONE)
)
OLD = os.urandom(32)
NEW = os.urandom(32)


def test_sealed_data_holds_no_personal_data_in_clear() -> None:
    sealed = seal(DATA, PayloadKeyring("k1", {"k1": NEW}))
    text = sealed.model_dump_json()
    for secret in (PHONE, "王女士", "幸福家园", "油烟"):
        assert secret not in text
    assert sealed.key_id == "k1"


def test_a_rotated_keyring_still_opens_what_the_old_key_sealed() -> None:
    sealed = seal(DATA, PayloadKeyring("old", {"old": OLD}))
    assert unseal(sealed, PayloadKeyring("new", {"new": NEW, "old": OLD})) == DATA


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.model_copy(update={"key_id": "other"}), "failed authentication"),
        (lambda s: s.model_copy(update={"ciphertext": s.ciphertext[:-4] + "AAAA"}), "failed authentication"),
        (lambda s: s.model_copy(update={"nonce": "not base64!"}), "failed authentication"),
        (lambda s: s.model_copy(update={"key_id": "gone"}), "not in HOTLINE_PAYLOAD_KEYS"),
    ],
)
def test_altered_or_unknown_sealed_data_is_refused_naming_the_key(change, message) -> None:  # type: ignore[no-untyped-def]
    keyring = PayloadKeyring("k1", {"k1": NEW, "other": OLD})
    sealed: SealedData = change(seal(DATA, keyring))
    with pytest.raises(UnsealError, match=message) as raised:
        unseal(sealed, keyring)
    assert PHONE not in str(raised.value)
