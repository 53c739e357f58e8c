"""ServerSettings.from_env: each WHYREC_* variable read by pydantic-settings, bad values named."""

from __future__ import annotations

import pytest

from ui.settings import (
    ENV_ADMIN_KEYS,
    ENV_API_KEYS,
    ENV_MAX_BODY_BYTES,
    ENV_MAX_MESSAGE_CHARS,
    ENV_WORKERS,
    ServerSettings,
    SettingsError,
)

ALL = (ENV_API_KEYS, ENV_ADMIN_KEYS, ENV_MAX_MESSAGE_CHARS, ENV_MAX_BODY_BYTES, ENV_WORKERS)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*ALL, "WHYREC_SESSION_TTL"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_without_variables() -> None:
    assert ServerSettings.from_env() == ServerSettings()


def test_variables_are_read_and_overrides_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_API_KEYS, "aaaaaaaa, bbbbbbbb aaaaaaaa")
    monkeypatch.setenv(ENV_ADMIN_KEYS, "cccccccc")
    monkeypatch.setenv(ENV_MAX_MESSAGE_CHARS, " 123 ")
    monkeypatch.setenv(ENV_MAX_BODY_BYTES, "")  # blank keeps the default
    monkeypatch.setenv(ENV_WORKERS, "3")
    settings = ServerSettings.from_env(max_message_chars=None, port=8000)
    assert settings.api_keys == ("aaaaaaaa", "bbbbbbbb")
    assert settings.admin_keys == ("cccccccc",)
    assert settings.max_message_chars == 123
    assert settings.max_body_bytes == ServerSettings().max_body_bytes
    assert settings.workers == 3
    assert settings.port == 8000
    assert ServerSettings.from_env(max_message_chars=50).max_message_chars == 50


def test_only_the_named_variables_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "1")
    monkeypatch.setenv("HOST", "10.0.0.1")
    monkeypatch.setenv(ENV_API_KEYS.lower(), "short")
    assert ServerSettings.from_env() == ServerSettings()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (ENV_MAX_MESSAGE_CHARS, "many", "must be an integer, got 'many'"),
        (ENV_WORKERS, "1.5", "must be an integer, got '1.5'"),
        (ENV_MAX_MESSAGE_CHARS, "0", "must be at least 1"),
        (ENV_MAX_BODY_BYTES, "100", "must be at least 1024"),
        (ENV_WORKERS, "0", "must be at least 1"),
        (ENV_API_KEYS, "short", "every key needs at least 8 characters"),
        (ENV_ADMIN_KEYS, "aaaaaaaa short", "every key needs at least 8 characters"),
        ("WHYREC_RELOAD_S", "soon", "must be a number of seconds"),
    ],
)
def test_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        ServerSettings.from_env()
    assert name in str(caught.value)
    assert message in str(caught.value)


def test_key_file(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("aaaaaaaa\nbbbbbbbb\n", encoding="utf-8")
    monkeypatch.setenv(ENV_API_KEYS, f"@{keys}")
    assert ServerSettings.from_env().api_keys == ("aaaaaaaa", "bbbbbbbb")
    monkeypatch.setenv(ENV_API_KEYS, f"@{tmp_path / 'missing'}")
    with pytest.raises(SettingsError, match="cannot read API key file"):
        ServerSettings.from_env()
