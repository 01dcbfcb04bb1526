"""Payload encryption: what Temporal stores is ciphertext, old keys keep decrypting, bad keys stop a start."""

from __future__ import annotations

import base64
import os

import pytest
from pydantic import BaseModel, ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure

from services.contracts.payload_keys import DEVELOPMENT_KEY, DEVELOPMENT_KEY_ID, parse_payload_keys
from services.contracts.settings import ServiceSettings
from services.engines.payload_codec import (
    ENCODING,
    KEY_ID_METADATA,
    EncryptionCodec,
    PayloadDecryptionError,
    UnknownPayloadKey,
)
from services.engines.temporal import data_converter

PHONE = "13812345678"
NAME = "王女士"
OLD_KEY = os.urandom(32)
NEW_KEY = os.urandom(32)


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def _payload(text: str = f'{{"caller":{{"name":"{NAME}","phone":"{PHONE}"}}}}') -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=text.encode())


class Caller(BaseModel):
    name: str
    phone: str


async def test_a_payload_round_trips_and_is_stored_as_ciphertext() -> None:
    codec = EncryptionCodec(keys={"k1": OLD_KEY}, current_key_id="k1")
    original = _payload()

    [encrypted] = await codec.encode([original])
    [decrypted] = await codec.decode([encrypted])

    assert decrypted == original
    assert encrypted.metadata["encoding"] == ENCODING
    assert encrypted.metadata[KEY_ID_METADATA] == b"k1"
    stored = encrypted.SerializeToString()
    assert PHONE.encode() not in stored and NAME.encode() not in stored
    assert b"json/plain" not in stored  # the original metadata is encrypted with the data


async def test_the_same_payload_encrypts_differently_each_time() -> None:
    codec = EncryptionCodec(keys={"k1": OLD_KEY}, current_key_id="k1")

    first, second = await codec.encode([_payload(), _payload()])

    assert first.data != second.data  # a fresh nonce each time


async def test_a_tampered_ciphertext_is_refused() -> None:
    codec = EncryptionCodec(keys={"k1": OLD_KEY}, current_key_id="k1")
    [encrypted] = await codec.encode([_payload()])
    flipped = bytearray(encrypted.data)
    flipped[-1] ^= 0x01
    tampered = Payload(metadata=dict(encrypted.metadata), data=bytes(flipped))

    with pytest.raises(PayloadDecryptionError, match="failed authentication"):
        await codec.decode([tampered])


async def test_a_payload_relabelled_with_another_key_id_is_refused() -> None:
    codec = EncryptionCodec(keys={"k1": OLD_KEY, "k2": OLD_KEY}, current_key_id="k1")
    [encrypted] = await codec.encode([_payload()])
    relabelled = Payload(metadata={**encrypted.metadata, KEY_ID_METADATA: b"k2"}, data=encrypted.data)

    with pytest.raises(PayloadDecryptionError):
        await codec.decode([relabelled])


async def test_an_unknown_key_id_is_a_clear_error() -> None:
    writer = EncryptionCodec(keys={"k9": NEW_KEY}, current_key_id="k9")
    reader = EncryptionCodec(keys={"k1": OLD_KEY}, current_key_id="k1")
    [encrypted] = await writer.encode([_payload()])

    with pytest.raises(UnknownPayloadKey, match=r"key id 'k9'.*HOTLINE_PAYLOAD_KEYS.*known: k1"):
        await reader.decode([encrypted])


async def test_after_rotation_old_payloads_decrypt_and_new_ones_use_the_new_key() -> None:
    before = EncryptionCodec(keys={"k1": OLD_KEY}, current_key_id="k1")
    [old] = await before.encode([_payload()])

    after = EncryptionCodec(keys={"k1": OLD_KEY, "k2": NEW_KEY}, current_key_id="k2")
    [new] = await after.encode([_payload()])

    assert await after.decode([old, new]) == [_payload(), _payload()]
    assert old.metadata[KEY_ID_METADATA] == b"k1"
    assert new.metadata[KEY_ID_METADATA] == b"k2"
    with pytest.raises(UnknownPayloadKey):
        await before.decode([new])  # a service still on the old keys cannot read the new payloads


async def test_unencrypted_payloads_pass_through_decoding() -> None:
    codec = EncryptionCodec(keys={"k1": OLD_KEY}, current_key_id="k1")
    plain = _payload()
    null = Payload(metadata={"encoding": b"binary/null"})

    assert await codec.decode([plain, null]) == [plain, null]


async def test_the_services_data_converter_encrypts_pydantic_values() -> None:
    settings = ServiceSettings(payload_keys=f"k1:{_b64(OLD_KEY)}", payload_key_id="k1")
    converter = data_converter(settings)

    [payload] = await converter.encode([Caller(name=NAME, phone=PHONE)])

    assert payload.metadata[KEY_ID_METADATA] == b"k1"
    assert PHONE.encode() not in payload.SerializeToString()
    assert await converter.decode([payload], [Caller]) == [Caller(name=NAME, phone=PHONE)]


async def test_failure_messages_are_encrypted_too() -> None:
    converter = data_converter(ServiceSettings())
    failure = Failure()
    await converter.encode_failure(ValueError(f"bad phone {PHONE}"), failure)

    assert PHONE.encode() not in failure.SerializeToString()
    assert PHONE in str(await converter.decode_failure(failure))


def test_development_without_keys_uses_the_development_key() -> None:
    keyring = ServiceSettings().payload_keyring()

    assert keyring.current_key_id == DEVELOPMENT_KEY_ID
    assert dict(keyring.keys) == {DEVELOPMENT_KEY_ID: DEVELOPMENT_KEY}


def test_configured_keys_and_the_current_key_id() -> None:
    settings = ServiceSettings(payload_keys=f"k1:{_b64(OLD_KEY)}, k2:{_b64(NEW_KEY)}", payload_key_id="k2")

    keyring = settings.payload_keyring()

    assert keyring.current_key_id == "k2"
    assert dict(keyring.keys) == {"k1": OLD_KEY, "k2": NEW_KEY}
    assert OLD_KEY.hex() not in repr(settings) and _b64(OLD_KEY) not in repr(settings)


def test_keys_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_ENVIRONMENT", "production")
    monkeypatch.setenv("HOTLINE_PAYLOAD_KEYS", f"2026-11:{_b64(NEW_KEY)}")
    monkeypatch.setenv("HOTLINE_PAYLOAD_KEY_ID", "2026-11")

    assert ServiceSettings().payload_keyring().current_key_id == "2026-11"


@pytest.mark.parametrize("environment", ["production", "staging"])
def test_outside_development_missing_keys_stop_the_start(environment: str) -> None:
    with pytest.raises(ValidationError, match="HOTLINE_PAYLOAD_KEYS is required outside development"):
        ServiceSettings(environment=environment)


@pytest.mark.parametrize(
    "keys",
    [f"{DEVELOPMENT_KEY_ID}:{_b64(DEVELOPMENT_KEY)}", f"prod-1:{_b64(DEVELOPMENT_KEY)}", f"dev-0:{_b64(NEW_KEY)}"],
    ids=["dev-key", "dev-key-renamed", "dev-key-id"],
)
def test_outside_development_the_development_key_stops_the_start(keys: str) -> None:
    with pytest.raises(ValidationError, match="development key"):
        ServiceSettings(environment="production", payload_keys=keys, payload_key_id=keys.split(":")[0])


@pytest.mark.parametrize(
    ("keys", "key_id", "message"),
    [
        ("k1", "k1", "not `kid:base64key`"),
        ("k1:not base64!", "k1", "not valid base64"),
        (f"k1:{_b64(os.urandom(16))}", "k1", "16 bytes, not 32"),
        (f"k1:{_b64(OLD_KEY)},k1:{_b64(NEW_KEY)}", "k1", "twice"),
        (f"k1:{_b64(OLD_KEY)}", "k2", "'k2' is not in HOTLINE_PAYLOAD_KEYS"),
        (f"k1:{_b64(OLD_KEY)},k2:{_b64(NEW_KEY)}", "", "must name the key"),
    ],
)
def test_malformed_keys_are_refused_with_what_is_wrong(keys: str, key_id: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        ServiceSettings(environment="production", payload_keys=keys, payload_key_id=key_id)
    assert "input_value" not in str(refused.value)  # the error never echoes the keys


def test_a_single_key_needs_no_key_id() -> None:
    assert parse_payload_keys(f"only:{_b64(OLD_KEY)}") == {"only": OLD_KEY}
    assert (
        ServiceSettings(environment="production", payload_keys=f"only:{_b64(OLD_KEY)}").payload_keyring().current_key_id
        == "only"
    )
