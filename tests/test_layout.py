"""The code keeps the shape docs/DESIGN.md gives it: no module under src/ over 600 lines, and
templates that ask a model about its status instead of comparing it with a literal string."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "coproduce"
# `.status == "confirmed"`, `.side != 'provider'`, `.paid_by == "receivers"`, …
LITERAL_STATUS = re.compile(
    r"\.(status|side|paid_by|meetings_paid_from)\s*[!=]=\s*[\"']|"
    r"\bstatus\s*[!=]=\s*[\"'][a-z_]+[\"']"
)


def test_no_module_under_src_is_over_600_lines():
    long = {
        str(path.relative_to(SRC)): n
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and (n := len(path.read_text().splitlines())) > 600
    }
    assert long == {}


def test_templates_and_views_compare_statuses_through_the_models():
    found = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for pattern in ("*/templates/**/*.html", "*/views.py", "*/views/*.py", "*/*_views.py")
        for path in SRC.glob(pattern)
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if LITERAL_STATUS.search(line)
    ]
    assert found == []
