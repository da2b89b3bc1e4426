"""Log lines: JSON, one per event, with no message text or names unless asked for."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import JsonLines, LogSettingsError, read_settings


def _record(msg: str, fields: dict | None = None, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("田中様の売上は5億円")  # an exception message can quote a prospect
        except ValueError:
            import sys

            exc_info = sys.exc_info()
    record = logging.LogRecord("bot.test", logging.INFO, __file__, 1, msg, None, exc_info)
    if fields is not None:
        record.fields = fields
    return record


def test_a_line_is_one_json_object_with_the_named_fields():
    line = JsonLines().format(_record("turn", {"key_hash": "ab12", "duration_ms": 3.5, "handoff": None}))
    data = json.loads(line)
    assert data["event"] == "turn" and data["level"] == "INFO" and data["logger"] == "bot.test"
    assert data["key_hash"] == "ab12" and data["duration_ms"] == 3.5 and data["handoff"] is None
    assert data["time"].endswith("Z")


def test_message_text_is_left_out_unless_LOG_MESSAGE_TEXT_is_set():
    record = _record("relay", {"text": "売上5億の製造業です"})
    assert "売上" not in JsonLines(message_text=False).format(record)
    assert json.loads(JsonLines(message_text=True).format(record))["text"] == "売上5億の製造業です"


def test_a_newline_cannot_forge_a_second_line_and_long_values_are_cut():
    line = JsonLines().format(_record("x\n{\"level\": \"ERROR\"}", {"path": "a" * 5000}))
    assert "\n" not in line
    assert len(line) < 600


def test_an_exception_is_logged_by_type_and_place_not_by_its_message():
    data = json.loads(JsonLines().format(_record("listener failed", exc=True)))
    assert data["error"] == "ValueError"
    assert "売上" not in json.dumps(data, ensure_ascii=False)
    assert any("test_logs.py" in frame for frame in data["where"])


@pytest.mark.parametrize("env, name", [({"LOG_LEVEL": "loud"}, "LOG_LEVEL"), ({"LOG_MESSAGE_TEXT": "yes"}, "LOG_MESSAGE_TEXT")])
def test_bad_log_settings_name_the_variable(env, name):
    with pytest.raises(LogSettingsError, match=name):
        read_settings(env)


def test_log_settings_default_to_info_without_text():
    assert read_settings({}) == (logging.INFO, False)
    assert read_settings({"LOG_LEVEL": "debug", "LOG_MESSAGE_TEXT": "1"}) == (logging.DEBUG, True)
