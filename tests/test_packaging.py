"""The bot installs like a package: the wheel carries the content YAML (as bot/_content) and the
`cyber-quote` console script, and an unpacked wheel chats from any directory.

The wheel is built from a copy of the sources (so a test run leaves no build/ in the checkout and
two runs do not share one), without build isolation: no network, setuptools from the venv.
"""

from __future__ import annotations

import configparser
import importlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

CONTENT_FILES = sorted(p.name for p in (ROOT / "content").glob("*.yaml"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "bot", src / "bot", ignore=ignore)
    shutil.copytree(ROOT / "content", src / "content", ignore=ignore)
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out)],
        capture_output=True, text=True, timeout=120, cwd=src,
    )
    # setuptools>=70.1 (the `test` extra) builds wheels itself; an older one needs `wheel`
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (whl,) = out.glob("*.whl")
    return whl


def test_wheel_ships_the_content_and_the_script(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = configparser.ConfigParser()
        scripts.read_string(zf.read(entry_points).decode())
        for name in CONTENT_FILES:
            assert zf.read(f"bot/_content/{name}") == (ROOT / "content" / name).read_bytes(), name
    assert "rates.yaml" in CONTENT_FILES and "messages.yaml" in CONTENT_FILES
    assert scripts["console_scripts"]["cyber-quote"].strip() == "bot.__main__:main"
    assert "bot/__main__.py" in names and "bot/cli/__init__.py" in names
    assert "bot/slack/listeners/__init__.py" in names  # bot.slack is a namespace package
    assert not any(n.startswith(("tests/", "content/", "benchmarks/")) for n in names)


def test_unpacked_wheel_chats_from_any_directory(wheel, tmp_path):
    """What `pip install` puts in site-packages, run from elsewhere: the packaged content is read,
    not the checkout's (the dependencies come from the test venv)."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CONTENT_DIR")}
    env["PYTHONPATH"] = str(site)
    probe = subprocess.run(
        [sys.executable, "-c", "import bot.content as c; print(c.__file__); print(c.content_dir())"],
        capture_output=True, text=True, timeout=30, cwd=elsewhere, env=env,
    )
    assert probe.returncode == 0, probe.stderr
    module_file, directory = probe.stdout.splitlines()
    assert Path(module_file).is_relative_to(site)
    assert Path(directory) == site / "bot" / "_content"

    # the console script's entry point, called the way the generated script calls it
    script = "import sys; from bot.__main__ import main; sys.argv[0] = 'cyber-quote'; sys.exit(main())"
    proc = subprocess.run(
        [sys.executable, "-c", script, "chat", "--jsonl"], input="hello\n",
        capture_output=True, text=True, timeout=60, cwd=elsewhere, env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "annual sales" in proc.stdout

    check = subprocess.run(
        [sys.executable, "-m", "bot", "check-content"],
        capture_output=True, text=True, timeout=60, cwd=elsewhere, env=env,
    )
    assert check.returncode == 0, check.stderr
    assert str(site / "bot" / "_content") in check.stdout


def test_checkout_reads_the_repository_content():
    import bot.content

    assert bot.content.DEFAULT_CONTENT_DIR == ROOT / "content"


def test_content_dir_env_overrides(monkeypatch, tmp_path):
    import bot.content

    monkeypatch.setenv("CONTENT_DIR", str(tmp_path))
    assert bot.content.content_dir() == tmp_path
    monkeypatch.delenv("CONTENT_DIR")
    assert bot.content.content_dir() == bot.content.DEFAULT_CONTENT_DIR


def test_importing_main_does_not_run_it():
    """`bot.__main__` is the console script's module: importing it must not start a command."""
    module = importlib.import_module("bot.__main__")
    assert callable(module.main)
