"""The S3-compatible object store (SeaweedFS in development; the city's MinIO, Ceph or cloud S3 in production).

One aiobotocore client per process, opened on first use; every failure to reach the store or of the store itself
is `ObjectStoreUnavailable` (the API answers 503), a missing object `ObjectMissing`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import structlog
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

log = structlog.get_logger(__name__)

_MISSING = {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}


class ObjectStoreUnavailable(Exception):
    """The store did not answer, or refused (credentials, permissions): try again later."""


class ObjectMissing(Exception):
    """No object under that key."""


@dataclass(frozen=True)
class ObjectStoreConfig:
    endpoint: str
    region: str
    bucket: str
    access_key: str
    secret_key: str
    path_style: bool = True
    ca_file: Path | None = None
    timeout_seconds: float = 10.0


class ObjectStore:
    """Put, get, list and delete objects of one bucket."""

    def __init__(self, config: ObjectStoreConfig) -> None:
        self._config = config
        self._stack = AsyncExitStack()
        self._client: S3Client | None = None
        self._bucket_ready = False
        self._opening = asyncio.Lock()

    @property
    def bucket(self) -> str:
        return self._config.bucket

    async def _s3(self) -> S3Client:
        if self._client is not None and self._bucket_ready:
            return self._client
        async with self._opening:
            client = self._client
            if client is None:
                config = self._config
                verify: bool | str = str(config.ca_file) if config.ca_file else True
                client = await self._stack.enter_async_context(
                    get_session().create_client(
                        "s3",
                        endpoint_url=config.endpoint,
                        region_name=config.region,
                        aws_access_key_id=config.access_key,
                        aws_secret_access_key=config.secret_key,
                        verify=verify,
                        config=AioConfig(
                            signature_version="s3v4",
                            s3={"addressing_style": "path" if config.path_style else "virtual"},
                            connect_timeout=config.timeout_seconds,
                            read_timeout=config.timeout_seconds,
                            retries={"max_attempts": 2, "mode": "standard"},
                        ),
                    )
                )
                self._client = client
            if not self._bucket_ready:
                await self._ensure_bucket(client)
                self._bucket_ready = True
        return client

    async def _ensure_bucket(self, client: S3Client) -> None:
        try:
            await client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            if _error_code(exc) not in _MISSING:
                raise ObjectStoreUnavailable(f"bucket {self.bucket!r}: {_error_code(exc)}") from exc
        except (BotoCoreError, OSError) as exc:
            raise ObjectStoreUnavailable(f"the object store did not answer: {type(exc).__name__}") from exc
        try:
            await client.create_bucket(Bucket=self.bucket)
            log.info("object_store.bucket_created", bucket=self.bucket)
        except ClientError as exc:
            if _error_code(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise ObjectStoreUnavailable(f"bucket {self.bucket!r} could not be created") from exc
        except (BotoCoreError, OSError) as exc:
            raise ObjectStoreUnavailable(f"the object store did not answer: {type(exc).__name__}") from exc

    async def put(self, key: str, body: bytes, *, content_type: str = "application/octet-stream") -> None:
        """Store `body` under `key` (replacing any object there)."""
        client = await self._s3()
        try:
            await client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)
        except (ClientError, BotoCoreError, OSError) as exc:
            raise _unavailable("put", key, exc) from exc

    async def get(self, key: str) -> bytes:
        """The object's bytes; ObjectMissing when there is none."""
        client = await self._s3()
        try:
            answer = await client.get_object(Bucket=self.bucket, Key=key)
            async with answer["Body"] as stream:
                return await stream.read()
        except ClientError as exc:
            if _error_code(exc) in _MISSING:
                raise ObjectMissing(key) from None
            raise _unavailable("get", key, exc) from exc
        except (BotoCoreError, OSError) as exc:
            raise _unavailable("get", key, exc) from exc

    async def keys(self, prefix: str) -> list[str]:
        """Every key under `prefix`, in the store's (lexicographic) order."""
        client = await self._s3()
        found: list[str] = []
        try:
            paginator = client.get_paginator("list_objects_v2")
            async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                found += [item["Key"] for item in page.get("Contents", []) if "Key" in item]
        except (ClientError, BotoCoreError, OSError) as exc:
            raise _unavailable("list", prefix, exc) from exc
        return found

    async def delete(self, key: str) -> None:
        client = await self._s3()
        try:
            await client.delete_object(Bucket=self.bucket, Key=key)
        except (ClientError, BotoCoreError, OSError) as exc:
            raise _unavailable("delete", key, exc) from exc

    async def close(self) -> None:
        await self._stack.aclose()
        self._client = None


def _error_code(exc: ClientError) -> str:
    error: Mapping[str, object] = exc.response.get("Error", {})
    return str(error.get("Code", ""))


def _unavailable(operation: str, key: str, exc: Exception) -> ObjectStoreUnavailable:
    reason = _error_code(exc) if isinstance(exc, ClientError) else type(exc).__name__
    log.warning("object_store.failed", operation=operation, key=key, reason=reason)
    return ObjectStoreUnavailable(f"the object store failed to {operation}: {reason}")
