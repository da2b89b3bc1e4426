"""Packaging beyond what pyproject.toml can say: the root `content/` folder ships inside the wheel
as the package `bot._content`, so an installed bot finds its YAML (bot/content/__init__.py).
Editors keep editing `content/` at the repository root; a checkout reads it from there.

Everything else (name, version, dependencies, scripts) is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["bot", "bot.*"]), "bot._content"],
    package_dir={"bot._content": "content"},
    package_data={"bot._content": ["*.yaml"]},
)
