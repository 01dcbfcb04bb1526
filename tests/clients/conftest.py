"""The platforms' client (clients/python) and the receiver example (clients/examples), tested from this checkout.

`make install` installs the client editable; putting its source first on the path here makes the tests use this
checkout's client whichever one an environment has installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

CLIENT_SOURCE = Path(__file__).resolve().parents[2] / "clients" / "python" / "src"
if str(CLIENT_SOURCE) not in sys.path:
    sys.path.insert(0, str(CLIENT_SOURCE))
