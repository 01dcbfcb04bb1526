"""`python -m services.admin …` is the `hotline` command."""

from __future__ import annotations

import sys

from services.admin.cli import main

sys.exit(main())
