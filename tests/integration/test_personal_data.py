"""Callers' personal data never reaches Temporal in clear; operators read it through the codec server; keys rotate.

The raw history is read with a client that has no codec, as anyone with access to the Temporal server (or its
database) would read it.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import AsyncIterator, Iterator

import httpx
import nats
import pytest
import pytest_asyncio
from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import History, HistoryEvent
from temporalio.client import Client

from services.contracts.case_event_log import CaseEvent, case_events_subject
from services.contracts.case_ids import workflow_id_for
from services.contracts.payload_keys import build_keyring
from services.engines.payload_codec import ENCODING, KEY_ID_METADATA
from services.engines.sealed_data import unseal
from tests.integration.test_end_to_end import wait_for_status
from tests.support.credentials import bearer
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

PHONE = "13812345678"
NAME = "王女士"
ADDRESS = "河口镇幸福家园小区3号楼2单元"
NEEDLES = (PHONE, NAME, ADDRESS)


def payloads_in(message: Message, path: str = "") -> Iterator[tuple[str, Payload]]:
    """Every Payload anywhere in a protobuf message, with the field path that leads to it."""
    if isinstance(message, Payload):
        yield path, message
        return
    for field, value in message.ListFields():
        entry = field.message_type
        if field.type != FieldDescriptor.TYPE_MESSAGE or entry is None:
            continue
        if entry.GetOptions().map_entry:
            if entry.fields_by_name["value"].type != FieldDescriptor.TYPE_MESSAGE:
                continue
            children = [(f"{path}.{field.name}[{key}]", item) for key, item in value.items()]
        elif field.is_repeated:
            children = [(f"{path}.{field.name}[{index}]", item) for index, item in enumerate(value)]
        else:
            children = [(f"{path}.{field.name}", value)]
        for child_path, child in children:
            yield from payloads_in(child, child_path)


async def raw_history(address: str, case_id: str) -> list[HistoryEvent]:
    """The case's history as the Temporal server stores it: a client without our codec."""
    plain = await Client.connect(address)
    history = await plain.get_workflow_handle(workflow_id_for(case_id)).fetch_history()
    return list(history.events)


def key_ids(events: list[HistoryEvent]) -> set[str]:
    return {
        payload.metadata[KEY_ID_METADATA].decode()
        for event in events
        for _path, payload in payloads_in(event)
        if KEY_ID_METADATA in payload.metadata
    }


def codec_body(payloads: list[Payload]) -> dict[str, object]:
    return json_format.MessageToDict(Payloads(payloads=payloads))


def decoded_text(answer: httpx.Response) -> str:
    decoded = json_format.ParseDict(answer.json(), Payloads())
    return "".join(payload.data.decode("utf-8", errors="replace") for payload in decoded.payloads)


def started_input(events: list[HistoryEvent]) -> list[Payload]:
    started = next(e for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
    return list(started.workflow_execution_started_event_attributes.input.payloads)


async def open_case(api: httpx.AsyncClient) -> str:
    answer = await api.post("/v1/cases", json=ticket_body(caller={"name": NAME, "phone": PHONE}, address=ADDRESS))
    assert answer.status_code == 202, answer.text
    case_id: str = answer.json()["case_id"]
    await wait_for_status(api, case_id, "assigned")
    return case_id


# Search attributes stay readable: they carry codes only. So do the SDK's own marker data, which its core writes
# without the codec: the patch id of `workflow.patched` and a local activity's bookkeeping (sequence, attempt, type,
# times). A local activity's *result* is encrypted like any other payload.
SDK_MARKER_DATA = (
    ".marker_recorded_event_attributes.details[patch-data]",
    ".marker_recorded_event_attributes.details[data]",
)


async def test_the_raw_history_holds_no_personal_data_in_clear(system: RunningSystem, api: httpx.AsyncClient) -> None:
    case_id = await open_case(api)
    assert (await api.post(f"/v1/cases/{case_id}/accept", json={"unit": "water"})).status_code == 200

    events = await raw_history(system.temporal.address, case_id)

    stored = History(events=events).SerializeToString()
    as_json = json_format.MessageToJson(History(events=events))
    for needle in NEEDLES:
        assert needle.encode() not in stored, f"{needle} in the stored history"
        assert needle not in as_json and json.dumps(needle)[1:-1] not in as_json
    found = [(path, payload) for event in events for path, payload in payloads_in(event)]
    assert len(found) > 5
    for path, payload in found:
        for needle in NEEDLES:
            assert needle.encode() not in payload.SerializeToString(), path
        if ".search_attributes." not in path and not path.startswith(SDK_MARKER_DATA):
            assert payload.metadata["encoding"] == ENCODING, f"{path} is not encrypted"
    local_results = [path for path, _ in found if path.startswith(".marker_recorded_event_attributes.details[result]")]
    assert local_results, "the local activities' results are in the history, and were checked above"
    assert key_ids(events) == {"dev-0"}
    # The API still shows the case: the services hold the key.
    case = (await api.get(f"/v1/cases/{case_id}")).json()
    assert (case["case_id"], case["status"]) == (case_id, "accepted")


async def test_search_attributes_carry_no_personal_data(system: RunningSystem, api: httpx.AsyncClient) -> None:
    case_id = await open_case(api)
    plain = await Client.connect(system.temporal.address)

    description = await plain.get_workflow_handle(workflow_id_for(case_id)).describe()

    attributes = str({pair.key.name: pair.value for pair in description.typed_search_attributes})
    assert case_id in attributes
    for needle in NEEDLES:
        assert needle not in attributes


async def test_the_codec_server_decrypts_for_an_operator_only(system: RunningSystem, api: httpx.AsyncClient) -> None:
    case_id = await open_case(api)
    encrypted = started_input(await raw_history(system.temporal.address, case_id))
    body = codec_body(encrypted)

    async with httpx.AsyncClient(base_url=system.api_url, timeout=30) as http:
        as_operator = await http.post("/codec/decode", json=body, headers=bearer(system.keys["operator"]))
        anonymous = await http.post("/codec/decode", json=body)
        as_unit = await http.post("/codec/decode", json=body, headers=bearer(system.keys["water"]))
        # The development Temporal UI sends no Authorization header: its codec endpoint holds the key.
        in_path = await http.post(f"/codec/k/{system.keys['operator']}/decode", json=body)

    assert as_operator.status_code == 200, as_operator.text
    assert PHONE in decoded_text(as_operator) and NAME in decoded_text(as_operator)
    assert anonymous.status_code == 401
    assert as_unit.status_code == 403
    for refused in (anonymous, as_unit):
        assert PHONE not in refused.text
    assert in_path.status_code == 200 and PHONE in decoded_text(in_path)


# --- key rotation: a system of its own, restarted with a new current key -------------------------------------

OLD_KEY = base64.b64encode(os.urandom(32)).decode()
NEW_KEY = base64.b64encode(os.urandom(32)).decode()


@pytest_asyncio.fixture(scope="module")
async def rotating_system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningSystem]:
    """Started with key k1 only; the test restarts every service with k1 and k2, k2 current."""
    running = await RunningSystem.start(
        tmp_path_factory.mktemp("rotation"),
        extra_env={"HOTLINE_PAYLOAD_KEYS": f"k1:{OLD_KEY}", "HOTLINE_PAYLOAD_KEY_ID": "k1"},
    )
    try:
        yield running
    finally:
        running.stop()


async def test_a_case_started_under_the_old_key_is_readable_and_actionable_after_rotation(
    rotating_system: RunningSystem,
) -> None:
    system = rotating_system
    async with system.client() as api:
        old_case = await open_case(api)
    assert key_ids(await raw_history(system.temporal.address, old_case)) == {"k1"}

    services = system.services.values()
    for process in services:
        process.stop()
    for process in services:
        process.env.update({"HOTLINE_PAYLOAD_KEYS": f"k1:{OLD_KEY},k2:{NEW_KEY}", "HOTLINE_PAYLOAD_KEY_ID": "k2"})
        await process.start()

    async with system.client() as api:
        await wait_for_status(api, old_case, "assigned")  # the worker replays the k1 history to answer
        accepted = await api.post(f"/v1/cases/{old_case}/accept", json={"unit": "water"})
        assert accepted.status_code == 200, accepted.text
        await wait_for_status(api, old_case, "accepted")
        new_case = await open_case(api)

    events = await raw_history(system.temporal.address, old_case)
    assert key_ids([e for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED]) == {"k1"}
    update_events = {
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
    }
    accept_events = [e for e in events if e.event_type in update_events]
    assert accept_events and key_ids(accept_events) == {"k2"}
    assert key_ids(await raw_history(system.temporal.address, new_case)) == {"k2"}

    # The codec server holds both keys too: an operator reads the old and the new payloads.
    body = codec_body(started_input(events) + started_input(await raw_history(system.temporal.address, new_case)))
    async with httpx.AsyncClient(base_url=system.api_url, timeout=30) as http:
        decoded = await http.post("/codec/decode", json=body, headers=bearer(system.keys["operator"]))
    assert decoded.status_code == 200, decoded.text
    assert decoded_text(decoded).count(PHONE) == 2


async def case_log(nats_url: str, case_id: str, *, until: str) -> list[bytes]:
    """The raw messages of a case's event log, read from its first up to the first event of kind `until`."""
    nc = await nats.connect(nats_url)
    try:
        sub = await nc.jetstream().subscribe(case_events_subject(case_id), ordered_consumer=True)
        messages: list[bytes] = []
        while not messages or CaseEvent.model_validate_json(messages[-1]).kind != until:
            messages.append((await sub.next_msg(timeout=30)).data)
        return messages
    finally:
        await nc.close()


async def test_the_case_event_log_carries_personal_data_sealed_on_received_only(
    system: RunningSystem, api: httpx.AsyncClient
) -> None:
    case_id = await open_case(api)

    raw = await case_log(system.nats.url, case_id, until="assigned")

    for message in raw:
        for needle in NEEDLES:
            assert needle.encode() not in message and json.dumps(needle)[1:-1].encode() not in message
    events = [CaseEvent.model_validate_json(message) for message in raw]
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    assert events[0].kind == "received"
    sealed = [e for e in events if e.personal is not None]
    assert [e.kind for e in sealed] == ["received"]
    personal = unseal(sealed[0].personal, build_keyring("", "", development=True))  # type: ignore[arg-type]
    assert (personal.address, personal.caller and personal.caller.phone) == (ADDRESS, PHONE)
    assert events[-1].view is not None and events[-1].view.case_id == case_id
