"""``python -m mosaics.vc`` — the offline credential tools (see :mod:`mosaics.vc.cli`)."""

from __future__ import annotations

import sys

from mosaics.vc.cli import main

if __name__ == "__main__":
    sys.exit(main())
