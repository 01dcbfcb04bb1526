"""`hotline credentials …` against the running system's NATS: the first admin key of an installation, made on the
command line, works at the API at once; listed, rotated and revoked the same way; bad input named, nothing stored."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import httpx

from tests.support.credentials import bearer
from tests.support.polling import assert_eventually
from tests.support.services import REPO_ROOT
from tests.support.system import RunningSystem


async def hotline(system: RunningSystem, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HOTLINE_")}
    env["HOTLINE_NATS_URL"] = system.nats.url
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.admin", "credentials", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def issued_key(output: str) -> tuple[str, str]:
    """The key id (first line) and the key (second line) of an issue or rotate."""
    first, key, _ = output.splitlines()
    return first.split()[2], key


async def test_the_first_admin_key_is_issued_listed_rotated_and_revoked(system: RunningSystem) -> None:
    made = await hotline(system, "issue", "city-admin-first", "--kind", "admin")
    assert made.returncode == 0, made.stderr
    key_id, key = issued_key(made.stdout)
    async with httpx.AsyncClient(base_url=system.api_url, timeout=10) as api:

        async def answers(key: str, status: int) -> None:
            assert (await api.get("/v1/me", headers=bearer(key))).status_code == status

        await assert_eventually(lambda: answers(key, 200), what="the new admin key works")
        me = (await api.get("/v1/me", headers=bearer(key))).json()
        assert (me["kind"], me["client_id"]) == ("admin", "city-admin-first")

        listed = await hotline(system, "list")
        assert listed.returncode == 0
        [line] = [row for row in listed.stdout.splitlines() if row.startswith(key_id)]
        assert "city-admin-first" in line and line.endswith("active") and key not in listed.stdout

        rotated = await hotline(system, "rotate", key_id, "--grace-hours", "0")
        assert rotated.returncode == 0, rotated.stderr
        new_id, new_key = issued_key(rotated.stdout)
        await assert_eventually(lambda: answers(new_key, 200), what="the rotated key works")
        await assert_eventually(lambda: answers(key, 401), what="the old key expired (no grace)")

        revoked = await hotline(system, "revoke", new_id)
        assert revoked.returncode == 0 and "revoked" in revoked.stdout
        await assert_eventually(lambda: answers(new_key, 401), what="the revoked key refused")


async def test_bad_input_is_named_and_nothing_is_stored(system: RunningSystem) -> None:
    before = (await hotline(system, "list")).stdout
    for args, named in (
        (("issue", "water-duty", "--kind", "unit", "--subject", "no-such-unit"), "subject"),
        (("issue", "Not A Code", "--kind", "admin"), "client_id"),
        (("revoke", "nosuchkeyid"), "key id"),
        (("rotate", "nosuchkeyid"), "key id"),
    ):
        answer = await hotline(system, *args)
        assert answer.returncode == 2, (args, answer.stdout)
        assert named in answer.stderr, (args, answer.stderr)
    wrong_kind = await hotline(system, "issue", "someone", "--kind", "superuser")
    assert wrong_kind.returncode == 2 and "--kind" in wrong_kind.stderr
    assert (await hotline(system, "list")).stdout == before
