"""Cells a spreadsheet shows as text, never runs as a formula.

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` (and, in some, a tab or a carriage
return) as a formula, so a memo such as `=HYPERLINK(…)` could act when a coordinator opens an
export. Every CSV export puts a `'` before such a cell; the imports take it off again, so an export
reads back as it was.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """`value` as a cell a spreadsheet shows as text."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


def spreadsheet_unguard(value: str) -> str:
    """Take off the `'` that `spreadsheet_safe` put before a cell."""
    if value.startswith("'") and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value
