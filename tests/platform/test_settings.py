"""Settings in both runtime modes and all three APP_ENVs, each read in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
from channels.layers import get_channel_layer
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "options": {k: str(v) for k, v in db.get("OPTIONS", {}).items()},
    "conn_max_age": db.get("CONN_MAX_AGE"), "cache": settings.CACHES["default"]["BACKEND"],
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"], "debug": settings.DEBUG,
    "language": settings.LANGUAGE_CODE, "tz": settings.TIME_ZONE, "use_tz": settings.USE_TZ,
    "mfa": settings.REQUIRE_STAFF_MFA, "secret_len": len(settings.SECRET_KEY),
}))
"""


def run(env_overrides: dict, code: str = PROBE, args: list[str] | None = None, tmp_path: Path | None = None):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "APP_ENV", "SECRET_KEY",
                                                            "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE",
                                                            "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env["DJANGO_SETTINGS_MODULE"] = "exam_platform.settings"
    if tmp_path is not None:
        env["LOCAL_SECRETS_FILE"] = str(tmp_path / "secrets.env")
        env["SQLITE_PATH"] = str(tmp_path / "db.sqlite3")
    env.update(env_overrides)
    command = [sys.executable, *(args or ["-c", code])]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_embedded_mode_is_sqlite_wal_immediate_full_with_in_memory_layer(tmp_path):
    proc = run({}, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    cfg = json.loads(proc.stdout)
    assert cfg["engine"] == "django.db.backends.sqlite3"
    assert cfg["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in cfg["options"]["init_command"]
    assert "synchronous=FULL" in cfg["options"]["init_command"]
    assert "busy_timeout" in cfg["options"]["init_command"]
    assert cfg["conn_max_age"] is None
    assert cfg["cache"].endswith("LocMemCache")
    assert cfg["layer"] == "exam_platform.channel_layers.ThrottledCleanupInMemoryChannelLayer"
    assert (cfg["language"], cfg["tz"], cfg["use_tz"]) == ("vi", "Asia/Ho_Chi_Minh", True)
    assert cfg["debug"] is True and cfg["mfa"] is False  # dev


def test_dev_generates_and_keeps_a_local_secret_key(tmp_path):
    first = json.loads(run({}, tmp_path=tmp_path).stdout)
    secrets_file = (tmp_path / "secrets.env").read_text()
    assert "SECRET_KEY=" in secrets_file and "DEMO_PASSWORD=" in secrets_file
    assert oct((tmp_path / "secrets.env").stat().st_mode & 0o777) == "0o600"
    second = json.loads(run({}, tmp_path=tmp_path).stdout)
    assert first["secret_len"] == second["secret_len"] >= 50
    assert (tmp_path / "secrets.env").read_text() == secrets_file


def test_scale_out_mode_is_chosen_by_the_urls_alone(tmp_path):
    proc = run({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/whatever",
                "REDIS_URL": "redis://127.0.0.1:6379/3", "APP_ENV": "demo"}, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    cfg = json.loads(proc.stdout)
    assert cfg["engine"] == "django.db.backends.postgresql"
    assert "pool" in cfg["options"] and cfg["conn_max_age"] == 0
    assert cfg["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert cfg["layer"] == "channels_redis.core.RedisChannelLayer"
    assert cfg["debug"] is False and cfg["mfa"] is False  # demo: no DEBUG, two-factor not enforced


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALLOWED_HOSTS": "exam.example.gov.vn"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "exam.example.gov.vn"}, "SECRET_KEY"),
    ],
)
def test_production_fails_loudly_without_its_secrets(tmp_path, env, message):
    proc = run({"APP_ENV": "production", **env}, tmp_path=tmp_path)
    assert proc.returncode != 0
    assert "ImproperlyConfigured" in proc.stderr and message in proc.stderr
    assert not (tmp_path / "secrets.env").exists()  # production never writes a local secret


PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "k" * 40 + "-Vx9#q2!mZ7^pL4&wR8*",
    "ALLOWED_HOSTS": "exam.example.gov.vn",
}


def test_production_passes_check_deploy_and_enforces_staff_two_factor(tmp_path):
    cfg = json.loads(run(PRODUCTION, tmp_path=tmp_path).stdout)
    assert cfg["debug"] is False and cfg["mfa"] is True
    proc = run(PRODUCTION, args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout


def test_an_unknown_app_env_is_refused(tmp_path):
    proc = run({"APP_ENV": "staging"}, tmp_path=tmp_path)
    assert proc.returncode != 0 and "APP_ENV" in proc.stderr


def test_seed_demo_refuses_in_production(tmp_path):
    run({}, args=["manage.py", "migrate", "-v0"], tmp_path=tmp_path)
    proc = run(PRODUCTION, args=["manage.py", "seed_demo"], tmp_path=tmp_path)
    assert proc.returncode == 1 and "production" in proc.stderr


LAYER_PROBE = r"""
import asyncio, django
django.setup()
from channels.layers import get_channel_layer

async def main():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    waiting = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(6.5)  # longer than channels_redis's 5 s BZPOPMIN and redis-py 8's default read timeout
    await layer.send(channel, {"type": "still.here"})
    print((await asyncio.wait_for(waiting, 5))["type"])

asyncio.run(main())
"""


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: runs in the scale-out pass of .ci/run")
def test_an_idle_page_keeps_its_redis_channel(tmp_path):
    """A page that hears nothing for a while must not lose its consumer (redis-py 8 read timeout)."""
    proc = run({"DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/whatever"),
                "REDIS_URL": os.environ["REDIS_URL"], "APP_ENV": "demo"}, code=LAYER_PROBE, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "still.here"


def test_the_server_freezes_what_it_loaded_and_collects_young_and_middle_objects_less_often(tmp_path):
    """exam_platform/runtime.py: full collections of 250-400 ms every few seconds were most of the save p99."""
    code = ("import gc, json; import exam_platform.asgi; "
            "print(json.dumps({'frozen': gc.get_freeze_count(), 'threshold': gc.get_threshold()}))")
    proc = run({}, code=code, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    state = json.loads(proc.stdout.strip().splitlines()[-1])
    assert state["frozen"] > 10_000  # Django, channels and the project's modules: never scanned again
    assert state["threshold"][:2] == [10_000, 30]  # young objects, and the middle generation, collected less often
