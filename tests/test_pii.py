"""Personal data is hashed by the loader: phones in E.164, the key only in Python, raw records scrubbed.

The expected E.164 forms and hashes are written by hand (HMAC-SHA256 of the normalised value),
not computed with the code under test.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import subprocess
import sys
from contextlib import closing
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingestion import loader, pii
from ingestion.errors import ConfigError
from ingestion.pii import MISSING_KEY_MESSAGE, PiiHashing, normalise_phone
from ingestion.settings import PROJECT_ROOT
from ingestion.streams import HUBSPOT_CONTACTS, ZENDESK_REQUESTERS, ZENDESK_USERS
from tests.conftest import TEST_PII_HASH_KEY

KEY = TEST_PII_HASH_KEY
STAMP = "2026-03-10T00:00:00Z"
COMMON = {"run_id": "r1", "batch_id": "b1", "landing_dir": None, "pages": 1}


def hmac_hex(value: str, key: str = KEY) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


US = "+14153074864"
CN = "+8613800138000"


@pytest.mark.parametrize(
    ("typed", "region", "e164"),
    [
        ("+1 415-307-4864", "CN", US),  # the country code wins over the default region
        ("+14153074864", "CN", US),
        ("(415) 307-4864", "US", US),
        ("1-415-307-4864", "US", US),
        ("415.307.4864", "US", US),
        ("138 0013 8000", "CN", CN),
        ("+86 138-0013-8000", "CN", CN),
        ("8613800138000", "CN", CN),
        ("13800138000", "CN", CN),
        ("0086 138 0013 8000", "CN", CN),
        ("+86 138 0013 8000", "US", CN),
    ],
)
def test_a_phone_typed_any_way_is_one_e164_number(typed, region, e164):
    assert normalise_phone(typed, region) == e164


@pytest.mark.parametrize("typed", ["", "   ", "n/a", "12", "call me", "+86 123"])
def test_what_is_no_phone_number_gets_no_number(typed):
    assert normalise_phone(typed, "CN") is None


def test_the_mainland_default_no_longer_turns_a_us_number_into_a_chinese_one():
    # the old rule made "+1 415-307-4864" +8614153074864: 11 digits starting with 1
    assert normalise_phone("+1 415-307-4864", "CN") == US


def _contact(cid: int, email: str | None, phone: str | None, **props: str) -> dict:
    properties = {"email": email, "phone": phone, "firstname": "Mei", "lastname": "Wang", "region": "east", **props}
    return {"id": str(cid), "updatedAt": STAMP, "properties": properties}


def _page(tmp: Path, name: str, body: dict) -> Path:
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(body), "utf-8")
    return path


CONTACTS = [
    _contact(1, "Mei.Wang@Example.com", "+1 415-307-4864"),
    _contact(2, " mei.wang@example.com ", "+14153074864"),
    _contact(3, "a@example.cn", "138 0013 8000"),
    _contact(4, "b@example.cn", "+86 138-0013-8000"),
    _contact(5, "c@example.cn", "8613800138000"),
    _contact(6, "d@example.cn", "not a phone"),
    _contact(7, "", None),
]


def test_the_loader_hashes_email_and_phone_and_raw_keeps_neither(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    page = _page(tmp_path, "contacts", {"results": CONTACTS})
    with closing(loader.connect(warehouse, hashing=PiiHashing(KEY, "CN"))) as con:
        result = loader.load(con, HUBSPOT_CONTACTS, [page], **COMMON)
        assert result.records_loaded == 7
        rows = con.execute(
            "select id, email_hash, phone_hash, phone_unparseable, _record::varchar "
            "from raw.hubspot__contacts order by id"
        ).fetchall()
    hashes = {r[0]: r[1:4] for r in rows}
    assert hashes[1] == hashes[2] == (hmac_hex("mei.wang@example.com"), hmac_hex(US), False)
    assert {hashes[n][1] for n in (3, 4, 5)} == {hmac_hex(CN)}
    assert hashes[6] == (hmac_hex("d@example.cn"), None, True)  # counted, not invented
    assert hashes[7] == (None, None, False)
    for *_, record in rows:
        properties = json.loads(record)["properties"]
        assert properties.keys() == {"region"}, record
    # the record's other properties are kept for staging
    assert json.loads(rows[0][4])["id"] == "1"


def test_the_key_is_in_no_sql_and_the_hash_functions_are_not_stored_in_the_warehouse(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    page = _page(tmp_path, "contacts", {"results": CONTACTS})
    with closing(loader.connect(warehouse, hashing=PiiHashing(KEY, "CN"))) as con:
        loader.load(con, HUBSPOT_CONTACTS, [page], **COMMON)
        con.execute("checkpoint")
    # a plain connection, as dbt or a BI user opens the file: no cskpi function, no key anywhere
    with closing(duckdb.connect(str(warehouse), read_only=True)) as con:
        functions = con.execute("select function_name from duckdb_functions() where function_name like 'cskpi%'")
        assert functions.fetchall() == []
        with pytest.raises(duckdb.CatalogException):
            con.execute(f"select {pii.HASH_FUNCTION}('x')")
        stored_sql = con.execute(
            "select sql from duckdb_tables() union all select sql from duckdb_views() "
            "union all select macro_definition from duckdb_functions() where macro_definition is not null"
        ).fetchall()
    assert not [s for (s,) in stored_sql if s and KEY in s]
    assert KEY.encode() not in warehouse.read_bytes()
    assert "<hidden>" in repr(PiiHashing(KEY, "CN")) and KEY not in repr(PiiHashing(KEY, "CN"))


def test_rejects_keep_no_personal_data_either(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    broken = {"id": None, "updatedAt": STAMP, "properties": {"email": "x@example.com", "phone": "13800138000"}}
    page = _page(tmp_path, "contacts", {"results": [broken]})
    with closing(loader.connect(warehouse, hashing=PiiHashing(KEY, "CN"))) as con:
        assert loader.load(con, HUBSPOT_CONTACTS, [page], **COMMON).records_rejected == 1
        payload, md5 = con.execute("select payload::varchar, payload_md5 from raw._rejects").fetchone()
    assert "x@example.com" not in payload and "13800138000" not in payload
    # the md5 is of the scrubbed record too: an unkeyed md5 of the plain one would give the phone away
    assert md5 == hashlib.md5(payload.encode()).hexdigest()


def test_zendesk_users_keep_no_email_or_phone_and_only_an_agents_name(tmp_path):
    """An agent's name is staff data kept in its own column (staff.dim_agent, bi_manager only); an end
    user's name, and everyone's email and phone, are not kept anywhere in the row."""
    warehouse = tmp_path / "w.duckdb"
    user = {"id": 5001, "updated_at": STAMP, "name": "Li Na", "email": "li.na@example.com", "phone": "13800138000",
            "role": "agent", "active": True, "tags": ["bot"]}  # fmt: skip
    end_user = {**user, "id": 5002, "name": "Wang Fang", "role": "end-user", "tags": []}
    page = _page(tmp_path, "users", {"users": [user, end_user]})
    with closing(loader.connect(warehouse, hashing=PiiHashing(KEY, "CN"))) as con:
        loader.load(con, ZENDESK_USERS, [page], **COMMON)
        rows = con.execute("select agent_name, _record from raw.zendesk__users order by id").fetchall()
    assert [(name, json.loads(record)) for name, record in rows] == [
        ("Li Na", {"id": 5001, "updated_at": STAMP, "role": "agent", "active": True, "tags": ["bot"]}),
        (None, {"id": 5002, "updated_at": STAMP, "role": "end-user", "active": True, "tags": []}),
    ]


def test_zendesk_requesters_keep_their_email_as_a_hash_and_no_name_phone_or_free_text(tmp_path):
    """An end user as show_many answers it: the email only as the keyed hash of its normalised
    form; name, email, phone, alias, signature, details, notes, photo and custom user fields gone."""
    warehouse = tmp_path / "w.duckdb"
    requester = {"id": 20978392, "updated_at": STAMP, "name": "Bo Wu", "email": " Bo@Example.COM",
                 "phone": "+86 138 0013 8000", "alias": "Bo", "signature": "", "details": "12 Nanjing Road",
                 "notes": "calls after 18:00", "photo": {"content_url": "https://x.example/bo.png"},
                 "user_fields": {"loyalty_number": "LN-0042"}, "external_id": "503", "role": "end-user",
                 "active": True, "tags": []}  # fmt: skip
    page = _page(tmp_path, "requesters", {"users": [requester]})
    with closing(loader.connect(warehouse, hashing=PiiHashing(KEY, "CN"))) as con:
        loader.load(con, ZENDESK_REQUESTERS, [page], **COMMON)
        email_hash, external_id, record = con.execute(
            "select email_hash, external_id, _record from raw.zendesk__requesters"
        ).fetchone()
    assert (email_hash, external_id) == (hmac_hex("bo@example.com"), "503")
    assert json.loads(record) == {"id": 20978392, "updated_at": STAMP, "external_id": "503", "role": "end-user",
                                  "active": True, "tags": []}  # fmt: skip


def test_a_warehouse_with_plain_contact_records_gets_hashes_then_is_scrubbed(tmp_path):
    """A raw contacts table as a release before hashing at load left it: id, updated_at, the plain
    `_record`, and a reject with a plain payload. The next load computes the hashes from the plain
    records, then removes email, phone and names from them, in one transaction."""
    warehouse = tmp_path / "old.duckdb"
    old = [_contact(1, "Mei.Wang@Example.com", "(415) 307-4864"), _contact(2, "b@example.cn", "+86 138-0013-8000")]
    with closing(loader.connect(warehouse, hashing=PiiHashing(KEY, "US"))) as con:
        con.execute(
            "create table raw.hubspot__contacts (id bigint, updated_at timestamp, _partition_date date, "
            "_batch_id varchar, _run_id varchar, _loaded_at timestamp, _source_file varchar, _record json)"
        )
        for record in old:
            con.execute(
                "insert into raw.hubspot__contacts values (?, ?, null, 'old', 'old', now(), 'old.json', ?)",
                [int(record["id"]), datetime(2026, 3, 10), json.dumps(record)],
            )
        plain = json.dumps({"id": None, "properties": {"email": "x@example.com", "phone": "13800138000"}})
        con.execute(
            "insert into raw._rejects values ('hubspot', 'contacts', null, null, null, 'missing id', ?, md5(?), "
            "'old.json', 'old', 'old', now())",
            [plain, plain],
        )
        con.execute("insert into raw._rejects select 'zendesk', 'users', * exclude (source, stream) from raw._rejects")
        # the next load, of nothing new, migrates the table
        loader.load(con, HUBSPOT_CONTACTS, [], **COMMON)
        rows = con.execute("select id, email_hash, phone_hash, _record from raw.hubspot__contacts order by id")
        migrated = rows.fetchall()
        rejects = dict(con.execute("select stream, payload::varchar from raw._rejects").fetchall())
    assert [(r[0], r[1], r[2]) for r in migrated] == [
        (1, hmac_hex("mei.wang@example.com"), hmac_hex(US)),  # "(415) 307-4864" in region US
        (2, hmac_hex("b@example.cn"), hmac_hex(CN)),
    ]
    assert all(json.loads(r[3])["properties"] == {"region": "east"} for r in migrated)
    assert "x@example.com" not in rejects["contacts"] and "13800138000" not in rejects["contacts"]
    assert "x@example.com" in rejects["users"], "another stream's rejects are not the contacts migration's"


def test_a_phone_typed_two_ways_in_two_loads_links_one_customer(tmp_path):
    """The same number typed differently on two days gets one hash: no second customer appears."""
    warehouse = tmp_path / "w.duckdb"
    hashing = PiiHashing(KEY, "CN")
    with closing(loader.connect(warehouse, hashing=hashing)) as con:
        for n, phone in enumerate(("138 0013 8000", "+86 138-0013-8000")):
            page = _page(tmp_path, f"p{n}", {"results": [_contact(10 + n, f"x{n}@example.cn", phone)]})
            loader.load(con, HUBSPOT_CONTACTS, [page], **{**COMMON, "batch_id": f"b{n}"})
        assert con.execute("select count(distinct phone_hash) from raw.hubspot__contacts").fetchone()[0] == 1


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_real_account_without_a_pii_key_refuses_to_start_with_one_line(sample_env, tmp_path):
    env = {**os.environ, "HUBSPOT_BASE_URL": "http://127.0.0.1:9", "DAGSTER_HOME": str(tmp_path / "home")}
    env.pop("CSKPI_PII_HASH_KEY", None)
    done = _cli(env, "run", "--start", "2026-03-18", "--end", "2026-03-18")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == f"cskpi: {MISSING_KEY_MESSAGE}\n"
    assert done.stderr.count("\n") == 1 and "openssl rand -hex 32" in done.stderr
    assert not (sample_env / "warehouse.duckdb").exists(), "nothing was written"


def test_the_sample_runs_with_the_sample_key_and_a_real_account_with_its_own(settings):
    assert pii.pii_hashing(settings).key == pii.SAMPLE_PII_HASH_KEY
    real = dataclasses.replace(settings, hubspot=dataclasses.replace(settings.hubspot, base_url="http://x"))
    with pytest.raises(ConfigError, match="CSKPI_PII_HASH_KEY is not set"):
        pii.pii_hashing(real)
    assert pii.pii_hashing(dataclasses.replace(real, pii_hash_key=KEY)).key == KEY
    with pytest.raises(ConfigError, match="CSKPI_PHONE_DEFAULT_REGION"):
        pii.pii_hashing(dataclasses.replace(settings, phone_default_region="XX"))


def test_the_default_region_is_read_from_the_environment(sample_env, monkeypatch):
    from ingestion.settings import load_settings

    assert load_settings().phone_default_region == "CN"
    monkeypatch.setenv("CSKPI_PHONE_DEFAULT_REGION", "us")
    assert pii.pii_hashing(load_settings()).phone_region == "US"
