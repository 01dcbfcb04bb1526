"""Who may call at all, and the admin's keys, through the real API: 401 without a valid key, 403 for the wrong kind.

Every request names its key explicitly (`bearer(system.keys[...])`), so the role under test is never the one
`ActAsBody` would have picked; a request without a key goes through a client with no auth at all. Case access by
role is in `test_roles_case_access_api.py`.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import nats
import pytest
import pytest_asyncio

from services.contracts.credentials import Credential
from services.contracts.subjects import CREDENTIALS_BUCKET
from services.engines.credential_store import new_api_key
from tests.support.case_lifecycle import open_case
from tests.support.credentials import bearer
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem

pytestmark = pytest.mark.usefixtures("no_server_errors")

CENTRE = "coordination-centre"
CREDENTIALS = "/v1/admin/credentials"
NO_KEY = "no API key: send Authorization: Bearer <key>"
BAD_KEY = "the API key is unknown, revoked or expired"
# A unit no other test gives channels to; what this file sets on it, it removes again.
CHANNEL_UNIT = "commerce"


@pytest_asyncio.fixture
async def anonymous(system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    """The API with no credentials at all (the `api` fixture would add one)."""
    async with httpx.AsyncClient(base_url=system.api_url, timeout=30) as client:
        yield client


def as_(system: RunningSystem, name: str) -> dict[str, str]:
    return bearer(system.keys[name])


async def issue(api: httpx.AsyncClient, system: RunningSystem, **request: str) -> dict[str, Any]:
    """A new key from the admin, for a client of its own (a unique client id)."""
    body = {"client_id": f"roles-test-{uuid.uuid4().hex[:8]}", "kind": "platform", "subject": "12345"} | request
    response = await api.post(CREDENTIALS, json=body, headers=as_(system, "admin"))
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()
    return issued


async def works(api: httpx.AsyncClient, key: str) -> bool:
    """Whether the key is taken: any authenticated client may list the catalog's units."""
    response = await api.get("/v1/units", headers=bearer(key))
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


# --- authentication: 401 ---------------------------------------------------------------------------------


async def test_a_request_without_a_key_is_401_with_how_to_send_one(
    anonymous: httpx.AsyncClient, system: RunningSystem
) -> None:
    case_id = str(uuid.uuid4())
    answers = [
        await anonymous.get(f"/v1/cases/{case_id}"),
        await anonymous.get("/v1/queue"),
        await anonymous.get(CREDENTIALS),
        await anonymous.post(f"/v1/cases/{case_id}/accept", json={"unit": "water"}),
        # A scheme other than Bearer, or Bearer with nothing after it, is no key either.
        await anonymous.get(f"/v1/cases/{case_id}", headers={"Authorization": f"Basic {system.keys['water']}"}),
        await anonymous.get(f"/v1/cases/{case_id}", headers={"Authorization": "Bearer"}),
    ]

    assert [problem(a) for a in answers] == [(401, NO_KEY, "api_key_missing")] * len(answers)


async def test_a_malformed_or_unknown_key_is_401(anonymous: httpx.AsyncClient, system: RunningSystem) -> None:
    water = system.keys["water"]
    _, water_id, _ = water.split("_", 2)
    keys = [
        "not-a-key",
        "hk_",
        "hk_onlyid",
        "xx_" + water.split("_", 1)[1],  # the right id and secret under another prefix
        new_api_key(),  # well formed, never issued
        f"hk_{water_id}_{new_api_key().split('_', 2)[2]}",  # a real key id with another secret
        water + "x",
    ]
    path = f"/v1/cases/{uuid.uuid4()}"

    answers = [await anonymous.get(path, headers=bearer(key)) for key in keys]

    assert [problem(a) for a in answers] == [(401, BAD_KEY, "api_key_invalid")] * len(keys)
    # The same key in `X-API-Key` is taken: an unknown case is 404 once the caller is known.
    assert (await anonymous.get(path, headers={"X-API-Key": system.keys[CENTRE]})).status_code == 404
    assert (await anonymous.get(path, headers={"X-API-Key": new_api_key()})).status_code == 401


# --- the admin's keys: issue, list, revoke, rotate --------------------------------------------------------


async def test_an_issued_key_is_shown_once_and_the_list_never_shows_a_key_or_its_hash(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    issued = await issue(api, system, kind="unit", subject="water")

    key = issued["api_key"]
    assert key.startswith(f"hk_{issued['key_id']}_")
    assert (issued["kind"], issued["subject"]) == ("unit", "water")
    assert await works(api, key)
    listing = await api.get(CREDENTIALS, headers=as_(system, "admin"))
    assert listing.status_code == 200
    [summary] = [c for c in listing.json() if c["key_id"] == issued["key_id"]]
    assert summary["client_id"] == issued["client_id"]
    assert (summary["revoked_at"], summary["expires_at"]) == (None, None)
    fields = {name for credential in listing.json() for name in credential}
    assert fields == {"key_id", "client_id", "kind", "subject", "created_at", "expires_at", "revoked_at"}
    secret = key.split("_", 2)[2]
    for hidden in (key, secret, hashlib.sha256(key.encode()).hexdigest(), system.keys["water"]):
        assert hidden not in listing.text
    # The development keys are listed too, by id only.
    assert {"dev-water", "dev-admin", f"dev-{CENTRE}"} <= {c["client_id"] for c in listing.json()}


async def test_a_revoked_key_is_401_at_once(api: httpx.AsyncClient, system: RunningSystem) -> None:
    issued = await issue(api, system)
    key = issued["api_key"]
    assert await works(api, key)

    revoked = await api.delete(f"{CREDENTIALS}/{issued['key_id']}", headers=as_(system, "admin"))

    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    assert "api_key" not in revoked.json() and "key_hash" not in revoked.json()
    answer = await api.get(f"/v1/cases/{uuid.uuid4()}", headers=bearer(key))
    assert problem(answer) == (401, BAD_KEY, "api_key_invalid")
    # Revoking again changes nothing; a revoked key cannot be rotated back to life; unknown ids are 404.
    again = await api.delete(f"{CREDENTIALS}/{issued['key_id']}", headers=as_(system, "admin"))
    assert (again.status_code, again.json()["revoked_at"]) == (200, revoked.json()["revoked_at"])
    rotated = await api.post(f"{CREDENTIALS}/{issued['key_id']}/rotate", headers=as_(system, "admin"))
    assert rotated.status_code == 404
    assert (await api.delete(f"{CREDENTIALS}/000000000000", headers=as_(system, "admin"))).status_code == 404
    assert not await works(api, key)


async def test_rotation_without_grace_replaces_the_key_at_once(api: httpx.AsyncClient, system: RunningSystem) -> None:
    old = await issue(api, system, kind="unit", subject="water")

    response = await api.post(f"{CREDENTIALS}/{old['key_id']}/rotate?grace_hours=0", headers=as_(system, "admin"))

    assert response.status_code == 201, response.text
    new = response.json()
    assert new["key_id"] != old["key_id"]
    assert (new["client_id"], new["kind"], new["subject"]) == (old["client_id"], "unit", "water")
    assert await works(api, new["api_key"])
    assert not await works(api, old["api_key"])
    # The new key acts as the same unit: it reads the unit's own channels.
    channels = await api.get("/v1/units/water/channels", headers=bearer(new["api_key"]))
    assert channels.status_code == 200
    listed = {c["key_id"]: c for c in (await api.get(CREDENTIALS, headers=as_(system, "admin"))).json()}
    assert listed[old["key_id"]]["expires_at"] is not None and listed[new["key_id"]]["expires_at"] is None
    # An expired key is not rotated again: that would bring it back to life with a fresh grace period.
    again = await api.post(f"{CREDENTIALS}/{old['key_id']}/rotate?grace_hours=24", headers=as_(system, "admin"))
    assert again.status_code == 404, again.text
    assert not await works(api, old["api_key"])


async def test_rotation_with_a_grace_period_keeps_the_old_key_working_meanwhile(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    old = await issue(api, system)
    rotate = f"{CREDENTIALS}/{old['key_id']}/rotate"

    first = await api.post(f"{rotate}?grace_hours=1", headers=as_(system, "admin"))

    assert first.status_code == 201, first.text
    assert await works(api, first.json()["api_key"])
    assert await works(api, old["api_key"])
    expires_at = {c["key_id"]: c for c in (await api.get(CREDENTIALS, headers=as_(system, "admin"))).json()}[
        old["key_id"]
    ]["expires_at"]
    assert expires_at is not None
    # Rotating it again within its grace period never gives it longer than it had.
    second = await api.post(f"{rotate}?grace_hours=720", headers=as_(system, "admin"))
    assert second.status_code == 201, second.text
    listed = {c["key_id"]: c for c in (await api.get(CREDENTIALS, headers=as_(system, "admin"))).json()}
    assert listed[old["key_id"]]["expires_at"] == expires_at
    assert all([await works(api, k) for k in (old["api_key"], first.json()["api_key"], second.json()["api_key"])])
    # Out-of-range grace periods are refused by the query's bounds.
    assert (await api.post(f"{rotate}?grace_hours=-1", headers=as_(system, "admin"))).status_code == 422


@pytest.mark.parametrize("who", [CENTRE, "water", "platform-12345", "city-leader", "operator"])
async def test_only_the_admin_manages_keys(api: httpx.AsyncClient, system: RunningSystem, who: str) -> None:
    target = await issue(api, system)
    body = {"client_id": "roles-test-intruder", "kind": "admin", "subject": ""}
    key_id = target["key_id"]

    answers = [
        await api.post(CREDENTIALS, json=body, headers=as_(system, who)),
        await api.get(CREDENTIALS, headers=as_(system, who)),
        await api.post(f"{CREDENTIALS}/{key_id}/rotate?grace_hours=0", headers=as_(system, who)),
        await api.delete(f"{CREDENTIALS}/{key_id}", headers=as_(system, who)),
    ]

    assert [a.status_code for a in answers] == [403] * 4, [a.text for a in answers]
    for answer, action in zip(answers, ("issue", "list", "rotate", "revoke"), strict=True):
        assert f"may not {action} credentials (allowed: admin)" in answer.json()["detail"]
    # Nothing happened to the key, and no key was made for the intruder.
    assert await works(api, target["api_key"])
    listing = (await api.get(CREDENTIALS, headers=as_(system, "admin"))).json()
    assert "roles-test-intruder" not in {c["client_id"] for c in listing}
    assert {c["key_id"]: c for c in listing}[key_id]["revoked_at"] is None


# --- the admin: channels and keys, not cases ---------------------------------------------------------------


async def test_the_admin_sets_a_units_channels_and_issues_keys_but_does_not_read_cases(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    admin = as_(system, "admin")
    case = await open_case(api, category="LS-06", title="停水")
    before = await api.get(f"/v1/units/{CHANNEL_UNIT}/channels", headers=admin)
    assert before.status_code == 200 and before.json()["email"] is None, before.text
    try:
        email = {"to": ["duty@commerce.example.gov.cn"]}
        put = await api.put(f"/v1/units/{CHANNEL_UNIT}/email", json=email, headers=admin)
        assert put.status_code == 200, put.text
        assert put.json()["email"]["to"] == email["to"]
        assert (await api.get(f"/v1/units/{CHANNEL_UNIT}/channels", headers=admin)).json()["email"]["to"] == email["to"]
    finally:
        assert (await api.delete(f"/v1/units/{CHANNEL_UNIT}/email", headers=admin)).status_code == 200

    assert (
        await api.post(CREDENTIALS, json={"client_id": "roles-test-admin", "kind": "operator"}, headers=admin)
    ).status_code == 201

    read = await api.get(f"/v1/cases/{case['case_id']}", headers=admin)
    assert read.status_code == 403
    assert "not yours to read" in read.json()["detail"]
    accept = await api.post(f"/v1/cases/{case['case_id']}/accept", json={"unit": "water"}, headers=admin)
    assert accept.status_code == 403
    assert "does not act on cases" in accept.json()["detail"]
    queue = await api.get("/v1/queue", headers=admin)
    assert queue.status_code == 403


# --- refusals are counted ----------------------------------------------------------------------------------


REFUSAL_LINE = re.compile(r"^hotline_auth_refusals_total\{(?P<labels>[^}]*)\} (?P<value>\S+)$", re.MULTILINE)


async def refusal_counts(anonymous: httpx.AsyncClient) -> dict[tuple[str, str], float]:
    """`hotline_auth_refusals_total` by (status, reason), from intake's `/metrics`."""
    response = await anonymous.get("/metrics")
    assert response.status_code == 200
    counts: dict[tuple[str, str], float] = {}
    for match in REFUSAL_LINE.finditer(response.text):
        labels = dict(re.findall(r'(\w+)="([^"]*)"', match["labels"]))
        counts[labels["status"], labels["reason"]] = float(match["value"])
    return counts


async def test_refusals_are_counted_by_status_and_reason(anonymous: httpx.AsyncClient, system: RunningSystem) -> None:
    before = await refusal_counts(anonymous)
    path = f"/v1/cases/{uuid.uuid4()}"

    assert (await anonymous.get(path)).status_code == 401
    assert (await anonymous.get(path, headers=bearer(new_api_key()))).status_code == 401
    assert (await anonymous.get(path, headers=bearer(new_api_key()))).status_code == 401
    assert (await anonymous.get(CREDENTIALS, headers=as_(system, "water"))).status_code == 403
    assert (await anonymous.get("/v1/queue", headers=as_(system, CENTRE))).status_code == 403

    after = await refusal_counts(anonymous)

    def grew(status: str, reason: str) -> float:
        return after.get((status, reason), 0.0) - before.get((status, reason), 0.0)

    assert (grew("401", "missing"), grew("401", "invalid"), grew("403", "kind")) == (1, 2, 2), after
    assert sum(v for (status, _), v in after.items() if status == "401") > 0
    assert sum(v for (status, _), v in after.items() if status == "403") > 0


async def test_a_key_revoked_by_another_intake_instance_is_refused_here_within_moments(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    """Intake checks keys against records held in memory: another instance's revocation (written straight to the
    bucket here) reaches it through the bucket's watch, long before the held record's age limit (30 s)."""
    issued = await issue(api, system)
    assert await works(api, issued["api_key"])  # held by this instance from now on
    nc = await nats.connect(system.nats.url)
    try:
        bucket = await nc.jetstream().key_value(CREDENTIALS_BUCKET.name)
        credential = Credential.model_validate_json((await bucket.get(issued["key_id"])).value or b"")
        credential.revoked_at = datetime.now(UTC)
        await bucket.put(issued["key_id"], credential.model_dump_json().encode())
    finally:
        await nc.close()

    async def refused() -> None:
        assert not await works(api, issued["api_key"])

    await assert_eventually(refused, timeout=5, interval=0.05, what="the revocation seen by this intake")


def problem(response: httpx.Response) -> tuple[int, str, str]:
    """An error answer as a client tells it apart from another: status, `detail` and `code`."""
    body = response.json()
    return response.status_code, body["detail"], body["code"]
