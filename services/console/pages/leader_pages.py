"""Filled in by the console issue (26)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
