"""Builds the plugin manager: built-ins, then ``storysync`` entry points, then plugins named in settings."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass

import pluggy

from storysync.core.errors import ConfigError
from storysync.core.settings import Settings

from . import PROJECT_NAME, hookspecs

AUTOLOAD_SWITCH = "STORYSYNC_DISABLE_PLUGIN_AUTOLOAD"

BUILTIN_PLUGINS: tuple[str, ...] = (
    "storysync.plugins.builtin.http",
    "storysync.plugins.builtin.sqlite",
    "storysync.plugins.builtin.browsers",
    "storysync.plugins.builtin.fallbacks",
    "storysync.plugins.builtin.replies",
    "storysync.plugins.sandbox.plugin",
)


@dataclass(frozen=True)
class PluginInfo:
    name: str
    origin: str
    module: str
    hooks: tuple[str, ...]


def _short_name(module: str) -> str:
    return module.rsplit(".", 2)[-2] if module.endswith(".plugin") else module.rsplit(".", 1)[-1]


def build_plugin_manager(settings: Settings, environ: Mapping[str, str] = os.environ) -> pluggy.PluginManager:
    """A fresh manager with every plugin loaded and its hooks checked against the specs."""
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for name in settings.plugins.disable:
        pm.set_blocked(name)
    for module in BUILTIN_PLUGINS:
        name = _short_name(module)
        if not pm.is_blocked(name):
            pm.register(importlib.import_module(module), name=name)
    if not environ.get(AUTOLOAD_SWITCH):
        pm.load_setuptools_entrypoints(PROJECT_NAME)
    for module in settings.plugins.load:
        if pm.is_blocked(module) or pm.has_plugin(module):
            continue
        try:
            plugin = importlib.import_module(module)
        except ImportError as error:
            raise ConfigError(f"plugins.load: cannot import {module!r}: {error}") from None
        pm.register(plugin, name=module)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as error:
        raise ConfigError(f"plugin {error.plugin!r} implements an unknown hook: {error}") from None
    return pm


def describe_plugins(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Each registered plugin, where it came from and the hooks it implements."""
    from_dist = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        dist = from_dist.get(id(plugin))
        if dist is not None:
            origin = f"entry point ({dist.project_name} {dist.version})"
        elif getattr(plugin, "__name__", "") in BUILTIN_PLUGINS:
            origin = "built-in"
        else:
            origin = "settings (plugins.load)"
        hooks = tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or ()))
        infos.append(PluginInfo(name, origin, getattr(plugin, "__name__", repr(plugin)), hooks))
    return infos
