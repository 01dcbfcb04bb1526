"""Open311 GeoReport v2 at `/open311/v2/`, as an Open311 client uses it: a scripted session (list services, one
service, post a request, read its token, read it, list with filters, errors) whose every answer, in JSON and in
XML, passes the schemas written from the specification (tests/integration/open311_schemas/); and a client library
from PyPI (`georeport`) reading what was posted.

The client speaks as Open311 clients do: a plain HTTP client, its key as the form's or the query's `api_key`.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import georeport.georeport
import httpx
import jsonschema_rs
import pytest
import pytest_asyncio
import requests
import xmlschema

from services.contracts.catalog import load_catalog
from tests.integration.test_credentials_command import hotline, issued_key
from tests.support.extra_intake import extra_intake, staging_overrides
from tests.support.file_server import Served, serving_files
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body
from tests.unit.test_attachment_files import photo

SCHEMAS = Path(__file__).parent / "open311_schemas"
CATALOG = load_catalog()
WATER = CATALOG.units["water"].name_zh
V2 = "/open311/v2"


def json_schema(name: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(json.loads((SCHEMAS / f"{name}.schema.json").read_text()))


@functools.cache
def xml_schema(name: str) -> xmlschema.XMLSchema11:
    # XSD 1.1: w3 date-times must carry their time zone (`explicitTimezone`), a receipt an id or a token (`assert`).
    return xmlschema.XMLSchema11(str(SCHEMAS / f"{name}.xsd"))


def conforms(answer: httpx.Response, schema: str) -> Any:
    """The answer's body, having checked it against the named schema in the answer's format."""
    media = answer.headers["content-type"]
    if media.startswith("application/json"):
        body = answer.json()
        errors = [error.message for error in json_schema(schema).iter_errors(body)]
        assert errors == [], f"{answer.request.url}: {errors}\n{answer.text}"
        return body
    assert media.startswith("text/xml"), media
    assert answer.content.startswith(b"<?xml"), answer.text[:80]
    xml_schema(schema).validate(answer.text)
    return ElementTree.fromstring(answer.content)


@pytest_asyncio.fixture
async def open311(system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client, as an Open311 client is: no key of its own, never a server error."""

    async def no_server_error(response: httpx.Response) -> None:
        assert response.status_code < 500, f"{response.request.method} {response.request.url}: {response.status_code}"

    async with httpx.AsyncClient(
        base_url=system.api_url + V2, timeout=30, event_hooks={"response": [no_server_error]}
    ) as client:
        yield client


def request_form(system: RunningSystem, **fields: str) -> dict[str, str]:
    """A citizen's request about water at a point, as an Open311 app POSTs it."""
    return {
        "api_key": system.keys["platform-open311"],
        "service_code": "LS-06",
        "lat": "36.78125",
        "long": "120.44713",
        "address_string": "河口镇幸福家园小区3号楼",
        "description": f"小区停水两天，至今没有恢复 ({uuid.uuid4().hex[:8]})",
        "first_name": "秀英",
        "last_name": "王",
        "phone": "13912345678",
        "email": "wang@example.cn",
        **fields,
    }


async def posted(open311: httpx.AsyncClient, form: dict[str, str], fmt: str = "json") -> httpx.Response:
    return await open311.post(f"/requests.{fmt}", data=form)


async def assigned(open311: httpx.AsyncClient, system: RunningSystem, case_id: str) -> dict[str, Any]:
    """The request once its unit has it and the records hold its ticket (its address)."""
    key = {"api_key": system.keys["platform-open311"]}

    async def check() -> dict[str, Any]:
        answer = await open311.get(f"/requests/{case_id}.json", params=key)
        assert answer.status_code == 200, answer.text
        [request] = conforms(answer, "service_requests")
        assert request["agency_responsible"] == WATER, request
        assert request["address"] is not None, "the records do not hold the ticket yet"
        return dict(request)

    return await assert_eventually(check, timeout=30, what=f"request {case_id} assigned and recorded")


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_the_service_list_is_the_catalog_in_force(open311: httpx.AsyncClient, fmt: str) -> None:
    answer = await open311.get(f"/services.{fmt}")
    assert answer.status_code == 200
    body = conforms(answer, "services")
    codes = [s["service_code"] for s in body] if fmt == "json" else [s.findtext("service_code") for s in body]
    assert codes == sorted(CATALOG.items)
    assert answer.headers["x-hotline-catalog-version"].isdigit()
    one = await open311.get(f"/services/LS-06.{fmt}")
    definition = conforms(one, "service_definition")
    code = definition["service_code"] if fmt == "json" else definition.findtext("service_code")
    assert code == "LS-06"


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_service_discovery_points_at_this_endpoint(
    open311: httpx.AsyncClient, system: RunningSystem, fmt: str
) -> None:
    answer = await open311.get(f"{system.api_url}/open311/discovery.{fmt}")
    assert answer.status_code == 200
    body = conforms(answer, "discovery")
    url = body["endpoints"][0]["url"] if fmt == "json" else body.find("endpoints/endpoint").findtext("url")
    assert url == system.api_url + V2
    assert (await open311.get(f"{url}/services.json")).status_code == 200


async def test_a_scripted_session_in_json_and_xml(open311: httpx.AsyncClient, system: RunningSystem) -> None:
    form = request_form(system)
    first = await posted(open311, form)
    assert first.status_code == 201, first.text
    [receipt] = conforms(first, "request_receipt")
    case_id, token = receipt["service_request_id"], receipt["token"]
    # The same request twice is one case: 200, the same id and token.
    again = await posted(open311, form)
    assert again.status_code == 200 and conforms(again, "request_receipt") == [receipt]
    # In XML, with the client's own token.
    own_token = f"app-{uuid.uuid4().hex[:12]}"
    xml_posted = await posted(open311, request_form(system, token=own_token), "xml")
    assert xml_posted.status_code == 201, xml_posted.text
    xml_receipt = conforms(xml_posted, "request_receipt").find("request")
    assert xml_receipt.findtext("token") == own_token
    xml_case_id = xml_receipt.findtext("service_request_id")

    key = {"api_key": system.keys["platform-open311"]}
    by_token = conforms(await open311.get(f"/tokens/{token}.json", params=key), "tokens")
    assert by_token == [{"service_request_id": case_id, "token": token}]
    by_own_token = conforms(await open311.get(f"/tokens/{own_token}.xml", params=key), "tokens")
    assert by_own_token.find("request").findtext("service_request_id") == xml_case_id

    request = await assigned(open311, system, case_id)
    assert request["status"] == "open" and request["service_code"] == "LS-06"
    assert request["description"] == form["description"] and request["address"] == form["address_string"]
    assert request["expected_datetime"] is not None and request["media_url"] is None
    # The point as the case keeps it (docs/places.md): WGS-84, as the request gave it.
    assert (request["lat"], request["long"]) == (float(form["lat"]), float(form["long"]))
    # When it last changed (routed, assigned: its last event), in UTC to the second like every date-time here.
    assert request["updated_datetime"] >= request["requested_datetime"]
    one_xml = conforms(await open311.get(f"/requests/{case_id}.xml", params=key), "service_requests")
    assert one_xml.find("request").findtext("agency_responsible") == WATER
    assert one_xml.find("request").findtext("status") == "open"
    await assigned(open311, system, xml_case_id)

    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    listed = await open311.get(
        "/requests.json", params={**key, "service_code": "LS-06", "status": "open", "start_date": since}
    )
    found = {r["service_request_id"]: r for r in conforms(listed, "service_requests")}
    assert {case_id, xml_case_id} <= set(found)
    assert (found[case_id]["address"], found[case_id]["updated_datetime"]) == (
        form["address_string"],
        request["updated_datetime"],
    )
    closed = await open311.get("/requests.xml", params={**key, "status": "closed", "start_date": since})
    ids = {r.findtext("service_request_id") for r in conforms(closed, "service_requests")}
    assert case_id not in ids
    both = await open311.get("/requests.json", params={**key, "service_request_id": f"{case_id},{xml_case_id}"})
    assert sorted(r["service_request_id"] for r in conforms(both, "service_requests")) == sorted([case_id, xml_case_id])

    missing = await open311.get(f"/requests/{uuid.uuid4()}.xml", params=key)
    assert missing.status_code == 404
    assert conforms(missing, "errors").find("error").findtext("code") == "404"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("change", "status", "names"),
    [
        ({"lat": "", "long": "", "address_string": ""}, 400, "lat"),
        ({"service_code": "NO-SUCH"}, 400, "service_code"),
        ({"long": "200"}, 400, "long"),
        ({"phone": "call me"}, 400, "phone"),
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "hk_nobody_secret"}, 403, "api_key"),
    ],
)
async def test_bad_requests_get_the_specs_errors_naming_the_field(
    open311: httpx.AsyncClient, system: RunningSystem, fmt: str, change: dict[str, str], status: int, names: str
) -> None:
    answer = await posted(open311, request_form(system, **change), fmt)
    assert answer.status_code == status, answer.text
    body = conforms(answer, "errors")
    description = body[0]["description"] if fmt == "json" else body.find("error").findtext("description")
    code = body[0]["code"] if fmt == "json" else int(body.find("error").findtext("code"))
    assert code == status and description.startswith(f"{names}:"), description


@pytest.mark.parametrize(
    ("path", "params", "status", "names"),
    [
        ("/requests", {"start_date": "2026-12-01"}, 400, "start_date"),
        ("/requests", {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-12-01T00:00:00Z"}, 400, "end_date"),
        ("/requests", {"status": "pending"}, 400, "status"),
        ("/requests", {"service_code": "NO-SUCH"}, 400, "service_code"),
        ("/requests", {"service_request_id": ",".join(["x"] * 51)}, 400, "service_request_id"),
        ("/requests/not-a-case-id", {}, 404, "no case"),
        ("/tokens/never-posted", {}, 404, "no case"),
        ("/services/NO-SUCH", {}, 404, "service_code"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_bad_reads_get_the_specs_errors(
    open311: httpx.AsyncClient,
    system: RunningSystem,
    fmt: str,
    path: str,
    params: dict[str, str],
    status: int,
    names: str,
) -> None:
    answer = await open311.get(f"{path}.{fmt}", params={"api_key": system.keys["platform-open311"], **params})
    assert answer.status_code == status, answer.text
    body = conforms(answer, "errors")
    description = body[0]["description"] if fmt == "json" else body.find("error").findtext("description")
    assert description.startswith(names), description


async def test_a_json_body_is_not_a_form(open311: httpx.AsyncClient, system: RunningSystem) -> None:
    """Open311 POSTs are forms: a JSON body has no fields, so the first missing one is named."""
    answer = await open311.post("/requests.json", json=request_form(system))
    assert answer.status_code == 403 and conforms(answer, "errors")[0]["description"].startswith("api_key")
    keyed = await open311.post(
        "/requests.json", json=request_form(system), headers={"X-API-Key": system.keys["platform-open311"]}
    )
    assert keyed.status_code == 400 and conforms(keyed, "errors")[0]["description"].startswith("service_code")


async def another_open311_client(api: httpx.AsyncClient) -> str:
    """A key for a second Open311 client (another citizens' app), issued by the admin as integrators get theirs."""
    issued = await api.post(
        "/v1/admin/credentials",
        json={"client_id": f"app-{uuid.uuid4().hex[:8]}", "kind": "platform", "subject": "open311"},
    )
    assert issued.status_code == 201, issued.text
    key: str = issued.json()["api_key"]
    return key


async def test_only_open311_keys_submit_and_each_client_reads_only_its_own(
    open311: httpx.AsyncClient, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    other = await posted(open311, request_form(system, api_key=system.keys["platform-12345"]))
    assert other.status_code == 403 and conforms(other, "errors")[0]["description"].startswith("api_key: only")
    token = f"t-{uuid.uuid4().hex[:8]}"
    first = await posted(open311, request_form(system, token=token))
    case_id = conforms(first, "request_receipt")[0]["service_request_id"]
    as_12345 = await open311.get(f"/requests/{case_id}.json", params={"api_key": system.keys["platform-12345"]})
    assert as_12345.status_code == 404

    # Another app numbering its requests alike makes a request of its own, and sees nothing of the first app's.
    app_key = await another_open311_client(api)

    async def accepted() -> httpx.Response:
        answer = await posted(open311, request_form(system, token=token, api_key=app_key))
        assert answer.status_code == 201, answer.text  # once intake has taken in the new key
        return answer

    its_own = conforms(await assert_eventually(accepted, what="the new key accepted"), "request_receipt")[0]
    assert its_own["token"] == token and its_own["service_request_id"] != case_id
    app = {"api_key": app_key}
    assert (await open311.get(f"/requests/{case_id}.json", params=app)).status_code == 404
    assert (await open311.get(f"/tokens/{token}.json", params=app)).json()[0]["service_request_id"] != case_id
    await assigned(open311, system, case_id)
    listed = conforms(await open311.get("/requests.json", params=app), "service_requests")
    assert case_id not in {r["service_request_id"] for r in listed}
    # Nor through our own API: the first app's caller stays its own, and its numbering too.
    v1 = {"Authorization": f"Bearer {app_key}"}
    assert (await api.get(f"/v1/cases/{case_id}/ticket", headers=v1)).status_code == 404
    found = await api.get("/v1/cases", params={"channel": "open311"}, headers=v1)
    assert found.status_code == 200 and case_id not in {c["case_id"] for c in found.json()["items"]}
    unprefixed = await api.post("/v1/cases", json=ticket_body(channel="open311", external_id=token), headers=v1)
    assert unprefixed.status_code == 422 and "external_id" in unprefixed.json()["detail"]

    unknown_format = await open311.get("/services.yaml")
    assert unknown_format.status_code == 404 and conforms(unknown_format, "errors")[0]["code"] == 404


async def test_a_key_issued_on_the_command_line_submits_open311_requests(
    open311: httpx.AsyncClient, system: RunningSystem
) -> None:
    made = await hotline(system, "issue", "town-app", "--kind", "platform", "--subject", "open311")
    assert made.returncode == 0, made.stderr
    _key_id, key = issued_key(made.stdout)

    async def submitted() -> httpx.Response:
        answer = await posted(open311, request_form(system, api_key=key, token="first"))
        assert answer.status_code == 201, answer.text  # once intake has taken in the new key
        return answer

    receipt = conforms(await assert_eventually(submitted, what="the new key accepted"), "request_receipt")[0]
    assert receipt["token"] == "first"
    by_token = await open311.get("/tokens/first.json", params={"api_key": key})
    assert conforms(by_token, "tokens") == [{"service_request_id": receipt["service_request_id"], "token": "first"}]


async def test_the_georeport_client_from_pypi_reads_what_was_posted(
    open311: httpx.AsyncClient, system: RunningSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """georeport 0.3.1 cannot POST and sends no `api_key` on its reads: the request is posted as an app would, and
    the library's reads go through a requests session that carries the key (as a city's gateway would add it)."""
    case_id = conforms(await posted(open311, request_form(system)), "request_receipt")[0]["service_request_id"]
    await assigned(open311, system, case_id)
    session = requests.Session()
    session.headers["X-API-Key"] = system.keys["platform-open311"]
    monkeypatch.setattr(georeport.georeport.requests, "get", session.get)
    for output in ("json", "xml"):
        client = georeport.GeoReport(system.api_url + V2, output_format=output)
        services = await asyncio.to_thread(client.get_service_list)
        assert "LS-06" in {service["service_code"] for service in services}
        request = await asyncio.to_thread(client.get_service_request, case_id)
        assert (request["service_request_id"], request["agency_responsible"]) == (case_id, WATER)
        listed = await asyncio.to_thread(client.get_service_requests, service_request_id=case_id)
        listed = [listed] if isinstance(listed, dict) else listed  # xmltodict: one element is not a list
        assert [r["service_request_id"] for r in listed] == [case_id]


async def test_a_requests_media_url_downloads_its_latest_photo(
    open311: httpx.AsyncClient, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    """Once the app (or the unit) attaches a photo, `media_url` is a short-lived link to it, for the client reading."""
    case_id = conforms(await posted(open311, request_form(system)), "request_receipt")[0]["service_request_id"]
    await assigned(open311, system, case_id)
    key = {"Authorization": f"Bearer {system.keys['platform-open311']}"}
    photo_bytes = photo()
    uploaded = await api.post(
        f"/v1/cases/{case_id}/attachments", files={"file": ("现场.jpg", photo_bytes, "image/jpeg")}, headers=key
    )
    assert uploaded.status_code == 201, uploaded.text

    answer = await open311.get(f"/requests/{case_id}.json", params={"api_key": system.keys["platform-open311"]})
    [request] = conforms(answer, "service_requests")
    assert request["media_url"] is not None and "/v1/attachment-downloads/" in request["media_url"]
    async with httpx.AsyncClient(timeout=10) as app:
        downloaded = await app.get(request["media_url"])
    assert downloaded.status_code == 200
    assert hashlib.sha256(downloaded.content).hexdigest() == uploaded.json()["sha256"]
    xml = conforms(
        await open311.get(f"/requests/{case_id}.xml", params={"api_key": system.keys["platform-open311"]}),
        "service_requests",
    )
    assert xml.findtext("request/media_url", "").startswith(system.api_url)

    # A filtered list links the photo too, once the records hold the case with it.
    async def listed_with_its_photo() -> None:
        params = {"api_key": system.keys["platform-open311"], "service_code": "LS-06"}
        listed = conforms(await open311.get("/requests.json", params=params), "service_requests")
        [found] = [r for r in listed if r["service_request_id"] == case_id]
        assert found["media_url"] is not None and "/v1/attachment-downloads/" in found["media_url"], found

    await assert_eventually(listed_with_its_photo, timeout=30, what="the photo in the filtered list")


async def test_a_posted_media_url_is_fetched_and_answered_as_the_requests_photo(
    open311: httpx.AsyncClient, system: RunningSystem
) -> None:
    """An app that keeps its photo sends its URL: the system fetches it, and `media_url` then links to our copy."""
    async with serving_files() as files:
        photo_url = files.put("/app/photos/1.jpg", Served(photo(), headers={"Content-Type": "image/jpeg"}))
        form = request_form(system, media_url=photo_url)
        case_id = conforms(await posted(open311, form), "request_receipt")[0]["service_request_id"]
        key = {"api_key": system.keys["platform-open311"]}

        async def linked() -> str:
            [request] = conforms(await open311.get(f"/requests/{case_id}.json", params=key), "service_requests")
            assert request["media_url"] is not None and "/v1/attachment-downloads/" in request["media_url"]
            return str(request["media_url"])

        media_url = await assert_eventually(linked, timeout=30, what="the fetched photo as media_url")
    async with httpx.AsyncClient(timeout=10) as app:
        downloaded = await app.get(media_url)
    assert (downloaded.status_code, downloaded.headers["content-type"]) == (200, "image/jpeg")
    assert files.gets == {"/app/photos/1.jpg": 1}


async def test_a_media_url_into_the_systems_network_is_the_specs_400_in_staging(
    system: RunningSystem, tmp_path: Path
) -> None:
    """Refused as a webhook into the system's own network is: naming `media_url`, in the spec's error format."""
    form = request_form(system, media_url="https://169.254.169.254/latest/meta-data")
    async with (
        extra_intake(system.services["intake"].env, tmp_path, staging_overrides()) as staging,
        httpx.AsyncClient(base_url=staging.base_url + V2, timeout=30) as client,
    ):
        answer = await client.post("/requests.json", data=form)
    assert answer.status_code == 400, answer.text
    [error] = conforms(answer, "errors")
    assert error["description"].startswith("media_url: 169.254.169.254 is a link-local address"), error
