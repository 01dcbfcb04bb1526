"""Integration tests: the whole system on real binaries (the fixtures are in tests/conftest.py, shared with the
browser tests so that one system serves both)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration
