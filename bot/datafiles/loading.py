"""Reading one YAML content file into a validated pydantic model."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.datafiles.errors import ContentError

M = TypeVar("M", bound=BaseModel)

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it: the same documents, several times
faster (the labelled FAQ examples are a thousand lines read at every start-up)."""


def read_yaml(path: Path) -> object:
    """Parse a YAML file; any I/O or syntax problem becomes a ContentError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError(str(path), "", f"cannot read file ({exc.strerror or exc})") from None
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise ContentError(str(path), where, f"not valid YAML ({getattr(exc, 'problem', exc)})") from None


def load_model(path: Path, model: type[M]) -> M:
    """Load and validate `path` as `model`; the first validation error names its field."""
    data = read_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err.get("loc", ()))
        raise ContentError(str(path), field, err.get("msg", "invalid")) from None
