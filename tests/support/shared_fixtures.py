"""Where the project's shared Instagram fixtures are: ``$STORYSYNC_SHARED_DIR``, else ``shared/``
beside the repository (as CI lays it out)."""

from __future__ import annotations

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def instagram_fixtures_dir() -> Path:
    configured = os.environ.get("STORYSYNC_SHARED_DIR")
    shared = Path(configured) if configured else REPOSITORY.parent / "shared"
    return shared / "fixtures" / "instagram"
