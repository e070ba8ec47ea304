"""benchmarks.floor: the scan a callback is compared with reads the rows the callback reads."""
import datetime as dt

from benchmarks.floor import floor_statements


def test_survey_comments_floor_reads_the_views_rows_not_a_bare_count():
    params = {"start": dt.date(2026, 1, 1), "end_next": dt.date(2026, 2, 1)}
    sql = "select count(*) from survey_feedback r where r.submitted_at >= $start and r.submitted_at < $end_next"
    recorded = [(sql, params)]
    [(scan, scan_params)] = floor_statements(recorded, {"survey_feedback": 2_000_000})
    assert "from survey_feedback r where" in scan and "r.submitted_at >= $start" in scan
    assert scan_params["start"] == dt.date(2026, 1, 1) and scan_params["end_next"] == dt.date(2026, 2, 1)
