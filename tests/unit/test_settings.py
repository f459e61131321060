"""Settings: layers, precedence, env variables, and errors that name the key and the file."""

from __future__ import annotations

import pytest

from storysync.core.errors import ConfigError
from storysync.core.settings import Layer, Settings, env_layer, masked, merge_layers
from storysync.plugins.config import load_settings, session_path


def test_defaults_are_a_working_setup():
    settings, _ = merge_layers([])
    assert settings.sources == ["http"]
    assert settings.store == "sqlite"
    assert settings.sync.reels_batch_size == 10


def test_flags_beat_environment_beat_file(tmp_path):
    config = tmp_path / "storysync.toml"
    config.write_text('account = "file"\nsources = ["http", "playwright"]\n[http]\nretry_attempts = 5\n')
    loaded = load_settings(
        config,
        {"account": "flag"},
        environ={"STORYSYNC_ACCOUNT": "env", "STORYSYNC_HTTP__RETRY_ATTEMPTS": "7", "HOME": str(tmp_path)},
        cwd=tmp_path,
    )
    s = loaded.settings
    assert (s.account, s.http.retry_attempts, s.sources) == ("flag", 7, ["http", "playwright"])
    assert loaded.origins["account"] == "flags"
    assert loaded.origins["http.retry_attempts"] == "environment"
    assert loaded.origins["sources"] == f"file {config}"
    assert s.media_dir == f"{tmp_path}/.local/share/storysync/media"


def test_config_file_is_found_in_the_working_directory_then_the_user_config_dir(tmp_path):
    home_config = tmp_path / "xdg" / "storysync" / "config.toml"
    home_config.parent.mkdir(parents=True)
    home_config.write_text('account = "home"\n')
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "XDG_DATA_HOME": str(tmp_path / "data")}
    assert load_settings(environ=env, cwd=tmp_path).settings.account == "home"
    (tmp_path / "storysync.toml").write_text('account = "cwd"\n')
    assert load_settings(environ=env, cwd=tmp_path).settings.account == "cwd"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("sourcez = []", "unknown key sourcez"),
        ("[http]\ntimeot = 3", "unknown key http.timeot"),
        ('[http]\nretry_attempts = "many"', "http.retry_attempts"),
        ('sources = "http"', "sources"),
        ("[sync]\nreels_batch_size = 50", "sync.reels_batch_size"),
        ("account = ", "not valid TOML"),
    ],
)
def test_bad_config_names_the_key_and_the_file(tmp_path, toml, message):
    config = tmp_path / "bad.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError) as raised:
        load_settings(config, environ={}, cwd=tmp_path)
    assert message in str(raised.value)
    if "range" not in str(raised.value):
        assert str(config) in str(raised.value)


def test_missing_explicit_config_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", environ={}, cwd=tmp_path)


def test_environment_lists_booleans_and_unknown_keys():
    layer = env_layer({"STORYSYNC_SOURCES": "http, selenium", "STORYSYNC_SYNC__TRAY_SKIP": "off", "OTHER": "x",
                       "STORYSYNC_DISABLE_PLUGIN_AUTOLOAD": "1"})
    settings, _ = merge_layers([layer])
    assert settings.sources == ["http", "selenium"]
    assert settings.sync.tray_skip is False
    with pytest.raises(ConfigError, match="sync.bogus"):
        env_layer({"STORYSYNC_SYNC__BOGUS": "1"})


def test_account_names_cannot_escape_the_sessions_folder(tmp_path):
    settings, _ = merge_layers([Layer("t", {"data_dir": str(tmp_path), "account": "../etc"})])
    with pytest.raises(ConfigError, match="account name"):
        session_path(settings)


def test_masked_hides_secret_looking_keys():
    shown = masked(Settings())
    assert shown["instagram"]["app_id"] == "936619743392459"
    assert masked.__doc__
