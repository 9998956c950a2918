"""Spreadsheet-safe CSV cells (coproduce.core.spreadsheets)."""

from __future__ import annotations

import pytest

from coproduce.core.spreadsheets import spreadsheet_safe, spreadsheet_unguard


@pytest.mark.parametrize("typed", ['=HYPERLINK("x")', "+1", "-10", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote_and_reads_back_as_typed(typed):
    assert spreadsheet_safe(typed) == "'" + typed
    assert spreadsheet_unguard(spreadsheet_safe(typed)) == typed


@pytest.mark.parametrize("typed", ["Alice", "", "1:30", "'quoted already", "a=b"])
def test_plain_text_is_left_alone(typed):
    assert spreadsheet_safe(typed) == typed
    assert spreadsheet_unguard(typed) == typed
