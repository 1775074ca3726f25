"""Write-audit-publish on the sample: quality gates, serving targets, the BI role and atomicity.

One Dagster run builds 2026-01-26 .. 2026-03-05 (the complaint surge starts 20 Feb) and publishes
to a throwaway PostgreSQL database and a DuckDB snapshot. The last test injects a bad record and
shows that publish is blocked and the served data stays byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from contextlib import closing
from datetime import date

import dagster as dg
import duckdb
import psycopg
import pytest

from ingestion.settings import load_settings
from orchestration.publishing import PUBLISHED_MARTS
from orchestration.publishing import postgres as serving_postgres
from tests import postgres
from tests.conftest import use_small_sample

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]
FIRST, LAST = date(2026, 1, 26), date(2026, 3, 5)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{7,}[0-9]$")
READER_PASSWORD = "reader-pw-5d1e"


def run_job(first: date, last: date, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    from orchestration.definitions import defs

    tags = {"dagster/asset_partition_range_start": first.isoformat(),
            "dagster/asset_partition_range_end": last.isoformat()}  # fmt: skip
    return defs.resolve_job_def("daily_kpi_job").execute_in_process(instance=instance, tags=tags, raise_on_error=False)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    with (
        postgres.throwaway_database() as dbname,
        pytest.MonkeyPatch.context() as monkeypatch,
        dg.DagsterInstance.ephemeral() as instance,
    ):
        use_small_sample(tmp_path_factory.mktemp("publish"), monkeypatch)
        monkeypatch.setenv("CSKPI_SAMPLE_TICKETS_PER_DAY", "300")
        monkeypatch.setenv("CSKPI_SAMPLE_NOW", "2026-03-06T00:00:00+08:00")
        monkeypatch.setenv("SERVING_POSTGRES_DSN", f"host=127.0.0.1 port=5432 user=postgres dbname={dbname}")
        monkeypatch.setenv("SERVING_BI_READER_PASSWORD", READER_PASSWORD)  # must never reach a log line
        with postgres.connect(dbname) as pg:  # other schemas BI must not reach
            pg.execute("create schema raw; create table raw.secrets (email text); "
                       "insert into raw.secrets values ('someone@example.com'); "
                       "create table public.internal_notes (note text)")  # fmt: skip
            pg.commit()
        result = run_job(FIRST, LAST, instance)
        yield result, load_settings(), dbname, instance


def _checksums(conn, tables=PUBLISHED_MARTS) -> dict[str, tuple]:
    out = {}
    for table in tables:
        cols = [r[0] for r in conn.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = %s "
            "order by ordinal_position" if isinstance(conn, psycopg.Connection) else
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? "
            "order by ordinal_position", [table]).fetchall()]  # fmt: skip
        rows = conn.execute(f"select {', '.join(cols)} from marts.{table}").fetchall()
        normalised = sorted(repr(tuple(round(v, 9) if isinstance(v, float) else v for v in r)) for r in rows)
        out[table] = (len(rows), hashlib.sha256("\n".join(normalised).encode()).hexdigest())
    return out


def _check(result, name: str):
    evaluations = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    assert evaluations, f"check {name} did not run"
    return evaluations[-1]


def test_a_clean_run_passes_every_gate_and_publishes(published):
    result, *_ = published
    assert result.success
    for name in ("gx_fct_kpi_daily", "gx_fct_tickets", "gx_fct_survey_responses", "gx_rpt_kpi_scorecard",
                 "gx_dim_customer", "gx_stg_zendesk__tickets", "gx_ticket_freshness", "gx_reject_share"):  # fmt: skip
        evaluation = _check(result, name)
        assert evaluation.passed, (name, evaluation.metadata.get("failures"))
        assert evaluation.metadata["data_docs"].value.endswith("index.html")
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "serving/published_marts" in materialised


def test_served_marts_equal_the_warehouse(published):
    _, settings, dbname, _ = published
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as warehouse:
        expected = _checksums(warehouse)
    with postgres.connect(dbname) as pg:
        assert _checksums(pg) == expected
    snapshot = settings.serving_dir / "cs_kpi_marts.duckdb"
    with closing(duckdb.connect(str(snapshot), read_only=True)) as served:
        assert _checksums(served) == expected
    with closing(duckdb.connect()) as con:  # written in a format older ODBC/JDBC drivers read
        con.execute(f"attach '{snapshot}' as snapshot (read_only)")
        con.execute(f"attach '{settings.warehouse_path}' as warehouse (read_only)")
        versions = dict(con.execute(
            "select database_name, tags['storage_version'] from duckdb_databases() "
            "where database_name in ('snapshot', 'warehouse')").fetchall())  # fmt: skip
    assert versions["snapshot"] == "v1.4.0+"
    assert versions["warehouse"] != versions["snapshot"]
    assert {p.name for p in (settings.serving_dir / "parquet").iterdir()} == {f"{m}.parquet" for m in PUBLISHED_MARTS}
    bi_files = {p.name: p.read_text() for p in (settings.serving_dir / "bi").iterdir()}
    assert set(bi_files) == {"cs-kpi-warehouse.pbids", "cs-kpi-scorecard.tds", "cs-kpi-daily.tds"}
    assert f'"database": "{dbname}"' in bi_files["cs-kpi-warehouse.pbids"]
    for tds, mart in (("cs-kpi-scorecard.tds", "rpt_kpi_scorecard"), ("cs-kpi-daily.tds", "fct_kpi_daily")):
        assert f'dbname="{dbname}"' in bi_files[tds] and 'username="bi_reader"' in bi_files[tds]
        assert f'table="[marts].[{mart}]"' in bi_files[tds]


def test_publish_never_logs_the_reader_password_or_the_dsn(published):
    result, _, dbname, _ = published
    lines = [str(e.message) + repr(getattr(e.event_specific_data, "materialization", "")) for e in result.all_events]
    assert lines and not [line for line in lines if READER_PASSWORD in line or f"dbname={dbname}" in line]
    (materialization,) = [e for e in result.get_asset_materialization_events()
                          if e.asset_key.to_user_string() == "serving/published_marts"]  # fmt: skip
    role_note = materialization.materialization.metadata["postgres_role"].value
    assert role_note.startswith("role bi_reader "), role_note  # created, or found and left alone


def test_complaint_surge_sets_off_the_volume_anomaly_warning(published):
    result, *_ = published
    evaluation = _check(result, "volume_anomaly")
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN  # warns, does not block: publish ran
    flagged = evaluation.metadata["flagged"].value
    complaint_days = sorted(f["day"] for f in flagged if f["measure"] == "complaint_tickets")
    assert complaint_days, flagged
    assert all("2026-02-20" <= d <= "2026-03-05" for d in complaint_days), complaint_days


def test_bi_reader_reads_marts_and_nothing_else(published):
    _, _, dbname, _ = published
    with psycopg.connect(f"host=127.0.0.1 port=5432 user={serving_postgres.BI_READER} dbname={dbname}",
                         autocommit=True) as bi:  # fmt: skip
        assert bi.execute("select count(*) from marts.fct_kpi_daily").fetchone()[0] > 0
        for statement in (
            "select * from raw.secrets",
            "select * from public.internal_notes",
            "insert into marts.dim_team (team) values ('intruder')",
            "update marts.fct_kpi_daily set tickets_created = 0",
            "delete from marts.dim_channel",
            "create table marts.mine (x int)",
            "create table public.mine (x int)",
            "drop table marts.dim_date",
        ):
            with pytest.raises(psycopg.Error) as err:
                bi.execute(statement)
            assert isinstance(
                err.value, psycopg.errors.InsufficientPrivilege | psycopg.errors.ReadOnlySqlTransaction
            ), (statement, err.value)


def test_no_served_value_looks_like_an_email_or_a_phone(published):
    _, _, dbname, _ = published
    with postgres.connect(dbname) as pg:
        columns = pg.execute(
            "select table_name, column_name from information_schema.columns where table_schema = 'marts' "
            "and data_type in ('text', 'character varying')"
        ).fetchall()
        scanned = 0
        for table, column in columns:
            for (value,) in pg.execute(f'select distinct "{column}" from marts.{table} where "{column}" is not null'):
                assert not EMAIL.search(value) and not PHONE.match(value), (table, column, value)
                scanned += 1
    assert len(columns) >= 15 and scanned > 0


def test_readers_never_see_a_partial_publish(published):
    _, settings, dbname, _ = published
    with postgres.connect(dbname) as pg:
        expected = {t: pg.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in PUBLISHED_MARTS}
    seen, errors, stop = [], [], threading.Event()

    def poll():
        with postgres.connect(dbname) as reader:
            reader.autocommit = True
            while not stop.is_set():
                try:
                    seen.append({t: reader.execute(f"select count(*) from marts.{t}").fetchone()[0]
                                 for t in ("fct_kpi_daily", "fct_tickets")})  # fmt: skip
                except psycopg.Error as exc:
                    errors.append(exc)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        time.sleep(0.2)
        with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as warehouse:
            for _ in range(3):
                serving_postgres.publish(warehouse, f"host=127.0.0.1 port=5432 user=postgres dbname={dbname}",
                                         PUBLISHED_MARTS, None)  # fmt: skip
        time.sleep(0.2)
    finally:
        stop.set()
        poller.join()
    assert not errors, errors[:3]
    assert len(seen) > 10
    assert all(s == {t: expected[t] for t in s} for s in seen), [
        s for s in seen if s["fct_tickets"] != expected["fct_tickets"]
    ][:3]


def _served_state(settings, dbname) -> tuple[bytes, dict]:
    with postgres.connect(dbname) as pg:
        return (settings.serving_dir / "cs_kpi_marts.duckdb").read_bytes(), _checksums(pg)


def _assert_blocked(result, settings, dbname, before) -> None:
    assert not result.success, "the run must be red"
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "serving/published_marts" not in materialised
    assert _served_state(settings, dbname) == before, "served data must stay byte for byte as it was"


def test_personal_data_in_a_mart_blocks_publish(published):
    """Someone typed an email address into a CRM region: only the GX suite's PII rule sees it."""
    _, settings, dbname, instance = published
    before = _served_state(settings, dbname)
    with closing(duckdb.connect(str(settings.warehouse_path))) as con:
        con.execute(
            # by name: the table has more typed columns (the hashes) than these
            "insert into raw.hubspot__contacts (id, updated_at, archived, _partition_date, _batch_id, _run_id, "
            "_loaded_at, _source_file, _record) select 99999999, '2024-01-01 00:00:00', false, null, 'inject', "
            "'inject', now()::timestamp, 'inject', "
            """'{"id": "99999999", "properties": {"region": "ask joe.bloggs@example.com", "customer_tier": "VIP"}}'"""
        )
    result = run_job(LAST, LAST, instance)
    _assert_blocked(result, settings, dbname, before)
    evaluation = _check(result, "gx_dim_customer")
    assert not evaluation.passed
    failures = evaluation.metadata["failures"].value
    assert failures == [{
        "expectation": "expect_column_values_to_not_match_regex",
        "kwargs": {"column": "region", "regex": failures[0]["kwargs"]["regex"]},
        "unexpected_count": 1, "observed_value": None, "examples": ["ask joe.bloggs@example.com"], "error": None,
    }]  # fmt: skip
    assert evaluation.metadata["data_docs"].value.endswith("index.html")
    print("\nblocked publish, check output:", evaluation.check_name, failures)
    with closing(duckdb.connect(str(settings.warehouse_path))) as con:
        con.execute("delete from raw.hubspot__contacts where id = 99999999")


def test_a_stream_rejecting_too_much_blocks_the_run(published, monkeypatch):
    """The reject-share gate: with the limit at 0.1 %, the sample's ~0.2 % malformed tickets fail it."""
    _, settings, dbname, instance = published
    before = _served_state(settings, dbname)
    monkeypatch.setenv("CSKPI_MAX_REJECT_SHARE", "0.001")
    monkeypatch.setenv("CSKPI_REJECT_SHARE_MIN_RECORDS", "1")
    result = run_job(date(2026, 3, 1), LAST, instance)
    _assert_blocked(result, settings, dbname, before)
    evaluation = _check(result, "gx_reject_share")
    assert not evaluation.passed
    shares = {r["stream"]: r for r in evaluation.metadata["reject_shares"].value}
    assert shares["zendesk.tickets"]["rejected"] > 0


def _inject_solved_before_assigned(settings, first_id: int, count: int) -> None:
    """Tickets solved at 02:10 UTC on 25 Feb and first assigned only at 02:50: each passes the loader's
    record rules but has a handle time of -2400 s. 25 Feb lies inside the next run's look-back, which
    that run rebuilds in the marts but does not re-ingest."""
    with closing(duckdb.connect(str(settings.warehouse_path))) as con:
        con.execute(
            "insert into raw.zendesk__tickets by name select id, '2026-02-25 02:00:00' as created_at, "
            "'2026-02-25 03:00:00' as updated_at, '{}' as custom_fields, 'solved' as status, 'chat' as via_channel, "
            "360001 as group_id, '[]' as tags, '2026-02-25' as _partition_date, 'inject' as _batch_id, "
            "'inject' as _run_id, now()::timestamp as _loaded_at, 'inject' as _source_file, "
            """'{"id": ' || id || ', "status": "solved", "via": {"channel": "chat"}, "tags": [], """
            """"group_id": 360001}' as _record from range(?, ?) as r(id)""",
            [first_id, first_id + count],
        )
        con.execute(
            "insert into raw.zendesk__ticket_events by name "
            "select id * 100 + n as id, id * 10 + n as audit_id, id as ticket_id, created_at, event_type, field_name, "
            "value, previous_value, _record, 9000001 as updater_id, '2026-02-25' as _partition_date, "
            "'inject' as _batch_id, 'inject' as _run_id, now()::timestamp as _loaded_at, 'inject' as _source_file "
            "from range(?, ?) as r(id), (values "
            # the creation audit, as every ticket created in the loaded history has
            "(0, '2026-02-25 02:00:00'::timestamp, 'Create', 'status', 'new', null, "
            """ '{"field_name": "status", "value": "new"}'),"""
            "(1, '2026-02-25 02:10:00'::timestamp, 'Change', 'status', 'solved', 'open', "
            """ '{"field_name": "status", "value": "solved", "previous_value": "open"}'),"""
            "(2, '2026-02-25 02:50:00'::timestamp, 'Change', 'assignee_id', '9000001', null, "
            """ '{"field_name": "assignee_id", "value": "9000001"}')"""
            ") as v(n, created_at, event_type, field_name, value, previous_value, _record)",
            [first_id, first_id + count],
        )


def _remove_injected(settings) -> None:
    with closing(duckdb.connect(str(settings.warehouse_path))) as con:
        con.execute("delete from raw.zendesk__ticket_events where _batch_id = 'inject'")
        con.execute("delete from raw.zendesk__tickets where _batch_id = 'inject'")


def _day_parts(path, day: str) -> tuple:
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        return con.execute(
            "select sum(tickets_created), sum(solved_tickets), sum(handled_tickets), sum(handle_seconds_sum), "
            "sum(quarantined_handle_tickets) from marts.fct_kpi_daily where kpi_date = ?",
            [day],
        ).fetchone()


def test_a_negative_handle_time_is_quarantined_and_publishes(published):
    """One ticket solved 40 min before its first assignment is left out of AHT, counted as
    quarantined, and still counts as a created and solved ticket; publish runs."""
    _, settings, _, instance = published
    snapshot = settings.serving_dir / "cs_kpi_marts.duckdb"
    created, solved, handled, handle_sum, quarantined = _day_parts(snapshot, "2026-02-25")
    assert quarantined == 0
    _inject_solved_before_assigned(settings, 99, 1)
    try:
        result = run_job(LAST, LAST, instance)
        assert result.success
        materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
        assert "serving/published_marts" in materialised
        # By hand: ticket 99 adds 1 to the day's created and solved tickets and 1 to its quarantined
        # handle tickets; AHT keeps its parts (had it counted, the sum would fall by 2400 s and the
        # count rise by 1), so the day's AHT is unchanged at handle_sum / handled.
        assert _day_parts(snapshot, "2026-02-25") == (created + 1, solved + 1, handled, handle_sum, 1)
        with closing(duckdb.connect(str(snapshot), read_only=True)) as served:
            assert served.execute(
                "select is_solved, handle_seconds, quarantine_reasons from marts.fct_tickets where ticket_id = 99"
            ).fetchone() == (True, None, "negative handle time")
        evaluation = _check(result, "gx_quarantine_share")
        assert evaluation.passed
        shares = {r["kpi"]: r for r in evaluation.metadata["quarantine_shares"].value}
        assert shares["aht_seconds"]["quarantined"] == 1
        # the report of February (the last full month published) names it in its data-quality note
        report = (settings.reports_dir / "service-level-report-2026-02.html").read_text(encoding="utf-8")
        note = report[report.index('id="data-quality-note"') :]
        aht_row = note[note.index("Left out of AHT") :].split("</tr>")[0]
        assert re.findall(r"<td>([^<]*)</td>", aht_row)[0] == "1", aht_row  # the count cell
    finally:
        _remove_injected(settings)


def test_a_quarantine_share_above_the_threshold_blocks_publish(published):
    """300 tickets solved before their assignment against ~4,000 handled in the rebuilt 15 days:
    about 7 % of AHT's tickets, past the default 2 %."""
    _, settings, dbname, instance = published
    before = _served_state(settings, dbname)
    # from id 99 on: the marts keep the earlier test's ticket 99 even after its raw rows went
    _inject_solved_before_assigned(settings, 99, 300)
    try:
        result = run_job(LAST, LAST, instance)
        _assert_blocked(result, settings, dbname, before)
        evaluation = _check(result, "gx_quarantine_share")
        assert not evaluation.passed
        assert evaluation.severity == dg.AssetCheckSeverity.ERROR
        shares = {r["kpi"]: r for r in evaluation.metadata["quarantine_shares"].value}
        assert shares["aht_seconds"]["quarantined"] == 300
        assert shares["aht_seconds"]["quarantine_share"] > 0.02
        assert _check(result, "gx_reject_share").passed  # the quarantine alone blocks
    finally:
        _remove_injected(settings)
