"""Cluster settings: defaults mean one process; bad values fail naming the variable (and
never echo a Redis password)."""

from __future__ import annotations

import pytest

from trading_api.cluster import ClusterSettings
from trading_api.cluster.settings import describe
from trading_api.env_settings import SettingsError


def test_without_a_redis_url_the_server_is_one_process() -> None:
    assert ClusterSettings.from_env({}) == ClusterSettings(None, 5.0, "trading-api")


def test_every_setting_is_read() -> None:
    env = {
        "TRADING_API_REDIS_URL": "rediss://:pw@redis.internal:6380/2",
        "TRADING_API_LEASE_SECONDS": "2.5",
        "TRADING_API_REDIS_PREFIX": "paper-eu",
    }
    assert ClusterSettings.from_env(env) == ClusterSettings(
        "rediss://:pw@redis.internal:6380/2", 2.5, "paper-eu"
    )


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("TRADING_API_REDIS_URL", "http://:s3cret@redis", "expected redis://"),
        ("TRADING_API_REDIS_URL", "redis://:s3cret@", "no host"),
        ("TRADING_API_REDIS_URL", "redis://:s3cret@redis:99999", "not a URL"),
        ("TRADING_API_LEASE_SECONDS", "0", "> 0"),
        ("TRADING_API_LEASE_SECONDS", "-1", "> 0"),
        ("TRADING_API_LEASE_SECONDS", "soon", "could not convert"),
        ("TRADING_API_REDIS_PREFIX", "my app", "letters, digits"),
    ],
)
def test_a_bad_value_names_its_variable(variable: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError, match=variable) as raised:
        ClusterSettings.from_env({variable: value})
    assert says in str(raised.value) and "s3cret" not in str(raised.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://user:s3cret@redis.internal:6380/1", "redis://redis.internal:6380/1"),
        ("redis://[::1]:6379", "redis://[::1]:6379"),
        ("unix:///run/redis.sock?password=s3cret", "unix:///run/redis.sock"),
    ],
)
def test_messages_show_the_url_without_credentials(url: str, shown: str) -> None:
    assert describe(url) == shown
