"""Built-in commands; importing this package adds them to the root group."""

from . import (  # noqa: F401
    config_cmd,
    demo_cmd,
    doctor_cmd,
    home_cmd,
    plugins_cmd,
    replies_cmd,
    session_cmd,
    stories_cmd,
    sync_cmd,
)
