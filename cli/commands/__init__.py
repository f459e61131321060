"""Built-in commands; importing this package adds them to the root group."""

from . import config_cmd, demo_cmd, plugins_cmd, replies_cmd, session_cmd, stories_cmd, sync_cmd  # noqa: F401
