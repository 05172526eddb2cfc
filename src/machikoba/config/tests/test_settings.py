"""Production settings refuse insecure set-ups and pass Django's deployment checks."""

import os
import subprocess
import sys

import pytest

from machikoba.core.testing.processes import ROOT

STRONG_KEY = "k" * 20 + "-production-secret-key-with-enough-entropy-0123456789"


def _manage(args, env_overrides, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DEBUG",
            "DATABASE_URL",
            "MACHIKOBA_ENV",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests in this process
            "CACHE_URL",
        }
    }
    env.update(
        {
            "MACHIKOBA_ENV_FILE": str(tmp_path / "none.env"),
            "MACHIKOBA_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"ALLOWED_HOSTS": "machikoba.example.jp"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": STRONG_KEY}, "ALLOWED_HOSTS must be set"),
        (
            {"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "machikoba.example.jp", "DEBUG": "1"},
            "DEBUG must be off",
        ),
        (
            {"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "machikoba.example.jp"},
            "CACHE_URL must name a shared cache",
        ),
    ],
)
def test_production_refuses_to_start_without_its_secrets(env, complaint, tmp_path):
    result = _manage(["check"], {"MACHIKOBA_ENV": "production", **env}, tmp_path)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_production_passes_check_deploy_with_no_warnings(tmp_path):
    result = _manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "MACHIKOBA_ENV": "production",
            "SECRET_KEY": STRONG_KEY,
            "ALLOWED_HOSTS": "machikoba.example.jp",
            "CACHE_URL": "redis://127.0.0.1:6379/1",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # axes.W006 is silenced on purpose (see AXES_LOCKOUT_PARAMETERS in settings).
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_unknown_environment_name_is_refused(tmp_path):
    result = _manage(["check"], {"MACHIKOBA_ENV": "staging"}, tmp_path)
    assert result.returncode != 0
    assert "MACHIKOBA_ENV must be" in result.stderr


def test_development_never_uses_a_shared_default_secret(tmp_path):
    first = _manage(
        ["shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        {},
        tmp_path,
    )
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip().splitlines()[-1]
    assert len(key) >= 50
    assert (tmp_path / "dev-secret-key").read_text().strip() == key
