"""A TLS-terminating TCP proxy for tests: a secured endpoint (mTLS, HTTP/2 by ALPN) in front of a plain server.

The Temporal dev server speaks plain gRPC only; this stands where a secured cluster's frontend (or its load balancer)
would, so a client's TLS settings are exercised against a real Temporal server.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl

from tests.support.tls_material import TlsFiles


class TlsProxy:
    def __init__(self, files: TlsFiles, *, port: int, upstream_port: int, require_client_cert: bool = True) -> None:
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(files.ca))
        self._context.load_cert_chain(str(files.server_cert), str(files.server_key))
        self._context.set_alpn_protocols(["h2"])
        self._context.verify_mode = ssl.CERT_REQUIRED if require_client_cert else ssl.CERT_NONE
        self._port = port
        self._upstream_port = upstream_port
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self._port, ssl=self._context)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._upstream_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()
