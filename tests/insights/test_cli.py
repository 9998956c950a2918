"""`coproduce report`: the funder report from the command line."""

from __future__ import annotations

import csv
import io
import json

import pytest

from coproduce.cli import main

pytestmark = pytest.mark.django_db

Q1 = ["--timebank", "riverside", "--from", "2025-01-01", "--to", "2025-03-31"]


def test_json_goes_to_standard_output(story, capsys):
    assert main(["report", *Q1, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["figures"]["help_minutes"] == 480
    assert data["totals_minutes"] == {"credits_in": 540, "credits_out": 540, "help_minutes": 480}


def test_pdf_goes_to_standard_output_as_bytes(story, capsysbinary):
    assert main(["report", *Q1]) == 0
    assert capsysbinary.readouterr().out.startswith(b"%PDF")


def test_csv_to_a_file_holds_every_funder_table(story, tmp_path, capsys):
    target = tmp_path / "q1.csv"
    assert main(["report", *Q1, "--format", "csv", "--output", str(target)]) == 0
    rows = list(csv.reader(io.StringIO(target.read_text())))
    titles = [row[0] for row in rows if len(row) == 1]
    assert "Month by month" in titles and "The exchange network" in titles
    assert "Each member's give and take" not in titles
    assert "Gina Green" not in target.read_text()
    assert "wrote csv report for riverside" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--timebank", "nowhere", "--from", "2025-01-01", "--to", "2025-03-31"],
            "no time bank with the slug 'nowhere'",
        ),
        (
            ["--timebank", "riverside", "--from", "2025-13-01", "--to", "2025-03-31"],
            "--from '2025-13-01' is not a date",
        ),
        (
            ["--timebank", "riverside", "--from", "2025-01-01", "--to", "soon"],
            "--to 'soon' is not a date",
        ),
        (
            ["--timebank", "riverside", "--from", "2025-04-01", "--to", "2025-03-31"],
            "The start date is after the end date",
        ),
        ([*Q1, "--format", "docx"], "unknown format 'docx'"),
    ],
)
def test_bad_options_exit_2_with_one_line(story, capsys, argv, message):
    assert main(["report", *argv]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert captured.out == ""


def test_an_unwritable_output_is_one_line(story, tmp_path, capsys):
    assert main(["report", *Q1, "--output", str(tmp_path / "missing" / "x.pdf")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_insights_refresh_folds_the_new_entries_and_then_has_nothing_to_do(story, capsys):
    from coproduce.insights.models import AccountMonth, SummaryState

    assert main(["insights", "refresh"]) == 0
    out = capsys.readouterr().out
    watermark = SummaryState.objects.get().watermark
    assert f"watermark:      {watermark}" in out and "rebuilt from every entry" in out
    assert AccountMonth.objects.exists()
    assert main(["insights", "refresh"]) == 0
    assert "entries folded: 0" in capsys.readouterr().out
    assert main(["insights", "refresh", "--rebuild"]) == 0
    assert SummaryState.objects.get().watermark == watermark


def test_insights_without_an_action_is_one_clear_line_and_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["insights"])
    assert exit_.value.code == 2
    assert "ACTION" in capsys.readouterr().err
