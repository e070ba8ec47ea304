"""The metrics command line (shared/spec/metrics.md, "Command line"):

    python -m dashboard.queries.metrics --db PATH --start YYYY-MM-DD --end YYYY-MM-DD [--unit CODE] --json

prints one JSON object {metric_id: value} holding every metric; numbers as
JSON numbers, null for a rate over nothing.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dashboard.model.catalog import METRICS
from tests.metrics_fixtures import REPO, build, cli, compute_values, incident, officer, run_cli

# The stable interface: every id the spec lists.
SPEC_IDS = """
staff.fulltime staff.parttime staff.tourism_police staff.auxiliary
posts.police_rooms_standardized posts.police_rooms posts.service_points
teams.volunteer teams.prevention
deploy.dynamic deploy.security_events deploy.person_times
incidents.total incidents.same_day_rate incidents.response_median_min
cases.administrative cases.criminal
enforce.joint_operations enforce.campaigns enforce.hazards_fixed enforce.shops_penalized
enforce.shops_inspected enforce.info_transfers enforce.coop_exchanges
mediation.total mediation.success_rate mediation.compensation_yuan
service.found service.convenience service.warnings_pushed service.rescued
survey.responses survey.satisfaction_rate survey.safety_rate survey.satisfaction_mean
visitors.total incidents.per_10k_visitors
nominations.total nominations.selected votes.valid votes.repeat
""".split()

START, END = "2021-06-01", "2021-06-30"


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    return build(tmp_path_factory.mktemp("cli"),
                 officers=[officer("P1", unit="PCS1")],
                 incidents=[incident("I1", "2021-06-05 10:00", unit="PCS1")])


def test_cli_json_holds_every_metric_the_spec_lists(cli_db):
    out = run_cli(cli_db, START, END)
    assert len(SPEC_IDS) == 41
    assert set(SPEC_IDS) <= set(out)


def test_cli_json_holds_every_metric_of_the_catalog(cli_db):
    out = run_cli(cli_db, START, END)
    assert set(out) == {m.id for m in METRICS}
    assert set(SPEC_IDS) <= {m.id for m in METRICS}


def test_cli_json_values_are_numbers_or_null(cli_db):
    for value in run_cli(cli_db, START, END).values():
        assert value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def test_cli_json_is_the_engine_s_figures(cli_db):
    out = run_cli(cli_db, START, END, "FJ1")
    assert out == compute_values(cli_db, START, END, unit="FJ1")
    assert out["incidents.total"] == 1 and out["staff.fulltime"] == 1


def test_cli_unknown_unit_exits_2_with_a_clear_message(cli_db):
    proc = cli(cli_db, "--start", START, "--end", END, "--unit", "NOPE", "--json")
    assert proc.returncode == 2
    assert "NOPE" in proc.stderr and "unknown unit" in proc.stderr
    assert "未知单位" in proc.stderr
    err = json.loads(proc.stdout)                     # --json: still one JSON object
    assert "NOPE" in err["error"] and set(err) >= {"error"}
    assert "incidents.total" not in err


def test_cli_unknown_unit_without_json_exits_2_too(cli_db, capsys):
    from dashboard.queries.metrics import main
    assert main(["--db", str(cli_db), "--start", START, "--end", END, "--unit", "NOPE"]) == 2
    assert "NOPE" in capsys.readouterr().err


def test_cli_end_before_start_exits_2(cli_db):
    proc = cli(cli_db, "--start", END, "--end", START, "--json")
    assert proc.returncode == 2
    assert "--end" in proc.stderr and "--start" in proc.stderr
    assert "error" in json.loads(proc.stdout)


def test_cli_malformed_date_exits_2(cli_db):
    from dashboard.queries.metrics import main
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(cli_db), "--start", "2021-13-01", "--end", END, "--json"])
    assert exc.value.code == 2


def test_cli_unknown_metric_exits_2(cli_db, capsys):
    from dashboard.queries.metrics import main
    assert main(["--db", str(cli_db), "--start", START, "--end", END, "--metric", "no.such_metric",
                 "--json"]) == 2
    assert "no.such_metric" in capsys.readouterr().err


def test_cli_without_json_prints_a_table_with_every_metric(cli_db, capsys):
    from dashboard.queries.metrics import main
    assert main(["--db", str(cli_db), "--start", START, "--end", END]) == 0
    out = capsys.readouterr().out
    for m in METRICS:
        assert m.id in out


def test_cli_missing_warehouse_exits_2(tmp_path):
    proc = cli(tmp_path / "absent.duckdb", "--start", START, "--end", END, "--json")
    assert proc.returncode == 2
    assert "absent.duckdb" in proc.stderr


def test_cli_does_not_import_pandas(cli_db):
    """The CLI path stays free of pandas (start-up time; the engine needs none)."""
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['metrics', '--db', {str(cli_db)!r}, '--start', {START!r}, '--end', {END!r}, '--json']\n"
        "try:\n"
        "    runpy.run_module('dashboard.queries.metrics', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('PANDAS' if 'pandas' in sys.modules else 'NO-PANDAS', file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "NO-PANDAS"
