"""The plugin surface of storysync: ``hookimpl`` marks a plugin's hook implementations."""

import pluggy

PROJECT_NAME = "storysync"

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
hookspec = pluggy.HookspecMarker(PROJECT_NAME)

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec"]
