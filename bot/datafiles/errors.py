"""Content problems are a type, so start-up can name the file and field and stop."""

from __future__ import annotations


class ContentError(Exception):
    """A content file is missing, unreadable or invalid.

    `file` is the path as given, `field` a dotted location inside it (may be empty).
    """

    def __init__(self, file: str, field: str, problem: str) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {problem}")
