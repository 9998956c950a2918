"""CSV as Ruby's standard library writes it, read cell by cell without losing what Python's
`csv` module drops: whether an empty cell was written quoted.

Ruby's CSV writes `nil` as nothing and an empty string as `""` (its `quote_empty` default). In
TimeOverflow's reports the two mean different things: a member with no account has a balance of
`nil.to_s`, written `""`, while an empty unquoted cell is a value Ruby never had. So a cell is a
`str` when it was written (quoted or not) and `None` when the field was empty and unquoted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


class CsvSyntaxError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Record:
    line: int  # where the record starts in the file, from 1
    cells: list[str | None]


def records(text: str) -> Iterator[Record]:
    """The records of `text` (a whole file, already decoded), in order. A quoted cell may hold
    commas, doubled quotes and line breaks; `\\r\\n` and `\\n` both end a record."""
    i, n, line = 0, len(text), 1
    while i < n:
        start_line = line
        cells: list[str | None] = []
        while True:
            if i < n and text[i] == '"':
                i += 1
                parts = []
                while True:
                    j = text.find('"', i)
                    if j < 0:
                        raise CsvSyntaxError(start_line, "a quoted cell is never closed")
                    chunk = text[i:j]
                    parts.append(chunk)
                    line += chunk.count("\n")
                    if j + 1 < n and text[j + 1] == '"':
                        parts.append('"')
                        i = j + 2
                        continue
                    i = j + 1
                    break
                cells.append("".join(parts))
                if i < n and text[i] not in ",\r\n":
                    raise CsvSyntaxError(line, "text follows a closing quote")
            else:
                j = i
                while j < n and text[j] not in ",\r\n":
                    if text[j] == '"':
                        raise CsvSyntaxError(line, "a quote inside an unquoted cell")
                    j += 1
                cells.append(text[i:j] if j > i else None)
                i = j
            if i < n and text[i] == ",":
                i += 1
                continue
            break
        if i < n and text[i] == "\r":
            i += 1
        if i < n and text[i] == "\n":
            i += 1
        line += 1
        yield Record(start_line, cells)
