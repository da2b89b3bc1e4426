"""The one base every data-file model is built on."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A model of (part of) a data file: a field the model does not know is an error, so a
    misspelt key stops loading instead of being silently ignored; and a loaded model is frozen,
    since content is read once at start-up and shared by every conversation."""

    model_config = ConfigDict(extra="forbid", frozen=True)
