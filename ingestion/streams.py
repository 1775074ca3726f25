"""What each raw stream is: how its landed files are read, its typed columns, and its contract.

Every stream keeps the full record as `_record` JSON, so a field the source adds later is kept in
raw and breaks nothing. The typed columns are the ones staging and the contract rules need.
A rule is a SQL condition that is true when the record breaks the contract; the first one that
holds is the reject reason.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Literal

from ingestion.pii import HASH_FUNCTION, PHONE_FUNCTION
from ingestion.settings import PROJECT_ROOT
from ingestion.survey_api_config import DIMENSIONS, SurveyApiConfig, SurveyType, load_config

LoadMode = Literal["versions", "partition", "upsert", "snapshot"]

# Tolerated clock skew before a timestamp counts as "in the future".
FUTURE = "now()::timestamp + interval 1 day"


def ts_iso(expr: str) -> str:
    """An ISO-8601 string (any offset) to a UTC TIMESTAMP; NULL when it does not parse."""
    return f"try_cast({expr} as timestamptz)::timestamp"


def ts_epoch(expr: str) -> str:
    return f"to_timestamp(try_cast({expr} as bigint))::timestamp"


def json_array(path: str) -> str:
    return f"unnest(json_extract(json, '{path}')) as rec"


@dataclass(frozen=True)
class Column:
    """A typed raw column. `expr` is SQL over `rec`, the record kept as `_record`; a column whose
    expr reads only `rec` can be added to an existing raw table and filled from `_record`."""

    name: str
    expr: str
    type: str


@dataclass(frozen=True)
class Reason:
    """A reject reason that is SQL over the row (e.g. naming the value that broke the rule), where a
    plain string reason is a literal."""

    sql: str


@dataclass(frozen=True)
class StreamSpec:
    source: str
    stream: str
    mode: LoadMode
    reader: str  # SELECT yielding `rec` (JSON) and `filename`; `{files}` is the list of landed files
    columns: tuple[Column, ...]
    rules: tuple[tuple[str, str | Reason], ...]
    key: str
    # versions mode: (key, version) names one immutable version; other modes: the highest wins
    version: str
    partition_by: str | None = None  # timestamp column whose local day is the partition
    # SQL over `rec` of what raw keeps as `_record` (and a reject as its payload): the record, or
    # the record without its personal data, which the typed columns keep only as hashes
    record: str = "rec"

    @property
    def scrubs_record(self) -> bool:
        return self.record != "rec"

    @property
    def table(self) -> str:
        return f"raw.{self.source}__{self.stream}"

    @property
    def name(self) -> str:
        return f"{self.source}.{self.stream}"


def without(fields: dict) -> str:
    """`rec` without `fields`, given as a JSON merge patch whose nulls remove ({"name": None})."""
    return f"json_merge_patch(rec, '{json.dumps(fields)}')"


def email_hash(expr: str) -> str:
    """The keyed hash of an email, lower-cased and trimmed (the rule of ingestion.pii.normalise_email)."""
    return f"{HASH_FUNCTION}(nullif(lower(trim({expr})), ''))"


def phone_hash(expr: str) -> str:
    """The keyed hash of a phone number in E.164; NULL when it does not parse."""
    return f"{HASH_FUNCTION}({PHONE_FUNCTION}({expr}))"


def phone_unparseable(expr: str) -> str:
    """A phone was given but is no phone number: its hash is NULL, and this flag counts it."""
    return f"nullif(trim({expr}), '') is not null and {PHONE_FUNCTION}({expr}) is null"


def _json_reader(path: str) -> str:
    return (
        f"select filename, {json_array(path)} "
        "from read_json_objects({files}, format='unstructured', filename=true, maximum_object_size=536870912)"
    )


def _future(col: str) -> tuple[str, str]:
    return (f"{col} > {FUTURE}", f"future {col}")


def _required_ts(col: str) -> tuple[tuple[str, str], ...]:
    return ((f"{col} is null", f"unparseable {col}"), _future(col))


def _score_rule(col: str, lo: int, hi: int, reason: str) -> tuple[str, str]:
    return (f"{col} is not null and ({col} < {lo} or {col} > {hi})", reason)


# Tickets change, so raw keeps every version the export delivered, keyed by (id, generated_at):
# a load adds the versions it does not hold and never deletes one. A version's partition day is
# the local day of its generated_timestamp, the key the export is ordered and paged by.
ZENDESK_TICKETS = StreamSpec(
    source="zendesk",
    stream="tickets",
    mode="versions",
    reader=_json_reader("$.tickets[*]"),
    columns=(
        Column("id", "try_cast(rec->>'id' as bigint)", "bigint"),
        Column("created_at", ts_iso("rec->>'created_at'"), "timestamp"),
        Column("updated_at", ts_iso("rec->>'updated_at'"), "timestamp"),
        Column(
            "generated_at",
            "coalesce(" + ts_epoch("rec->>'generated_timestamp'") + ", " + ts_iso("rec->>'updated_at'") + ")",
            "timestamp",
        ),
        # custom_fields as {"<field id>": value}, so staging reads a field by id on any engine
        Column(
            "custom_fields",
            "to_json(map_from_entries(list_transform(json_extract(rec, '$.custom_fields[*]'), "
            "lambda f: {'k': f->>'id', 'v': f->>'value'})))",
            "json",
        ),
        # the fields the KPIs read, typed once at load (see ZENDESK_TICKET_EVENTS)
        Column("status", "rec->>'status'", "varchar"),
        Column("priority", "rec->>'priority'", "varchar"),
        Column("type", "rec->>'type'", "varchar"),
        Column("via_channel", "rec->'via'->>'channel'", "varchar"),
        Column("group_id", "try_cast(rec->>'group_id' as bigint)", "bigint"),
        Column("assignee_id", "try_cast(rec->>'assignee_id' as bigint)", "bigint"),
        Column("requester_id", "try_cast(rec->>'requester_id' as bigint)", "bigint"),
        Column("tags", "rec->'tags'", "json"),
    ),
    rules=(("id is null", "missing id"), *_required_ts("created_at"), *_required_ts("updated_at")),
    key="id",
    version="generated_at",
    partition_by="generated_at",
)


def _minutes(path: str) -> str:
    return f"try_cast(rec->{path} as integer)"


# Zendesk's own ticket metrics, sideloaded with the ticket export (`include=metric_sets`) and
# landed in the same pages. One current set per ticket: the newest `updated_at` wins.
ZENDESK_TICKET_METRICS = StreamSpec(
    source="zendesk",
    stream="ticket_metrics",
    mode="upsert",
    reader=_json_reader("$.metric_sets[*]"),
    columns=(
        Column("id", "try_cast(rec->>'id' as bigint)", "bigint"),
        Column("ticket_id", "try_cast(rec->>'ticket_id' as bigint)", "bigint"),
        Column("created_at", ts_iso("rec->>'created_at'"), "timestamp"),
        Column("updated_at", ts_iso("rec->>'updated_at'"), "timestamp"),
        Column("reply_time_calendar_minutes", _minutes("'reply_time_in_minutes'->>'calendar'"), "integer"),
        Column("reply_time_business_minutes", _minutes("'reply_time_in_minutes'->>'business'"), "integer"),
        Column(
            "first_resolution_calendar_minutes", _minutes("'first_resolution_time_in_minutes'->>'calendar'"), "integer"
        ),
        Column(
            "first_resolution_business_minutes", _minutes("'first_resolution_time_in_minutes'->>'business'"), "integer"
        ),
        Column(
            "full_resolution_calendar_minutes", _minutes("'full_resolution_time_in_minutes'->>'calendar'"), "integer"
        ),
        Column(
            "full_resolution_business_minutes", _minutes("'full_resolution_time_in_minutes'->>'business'"), "integer"
        ),
        Column("reopens", "try_cast(rec->>'reopens' as integer)", "integer"),
        Column("replies", "try_cast(rec->>'replies' as integer)", "integer"),
        Column("assigned_at", ts_iso("rec->>'assigned_at'"), "timestamp"),
        Column("initially_assigned_at", ts_iso("rec->>'initially_assigned_at'"), "timestamp"),
        Column("solved_at", ts_iso("rec->>'solved_at'"), "timestamp"),
    ),
    rules=(("ticket_id is null", "missing ticket_id"), *_required_ts("updated_at")),
    key="ticket_id",
    version="updated_at",
)

# Zendesk's legacy CSAT: a rating is offered, then answered good or bad, and can be changed, so
# raw keeps its versions by (id, updated_at), placed on the local day of updated_at.
SATISFACTION_SCORES = ("offered", "unoffered", "good", "bad")
ZENDESK_SATISFACTION_RATINGS = StreamSpec(
    source="zendesk",
    stream="satisfaction_ratings",
    mode="versions",
    reader=_json_reader("$.satisfaction_ratings[*]"),
    columns=(
        Column("id", "try_cast(rec->>'id' as bigint)", "bigint"),
        Column("ticket_id", "try_cast(rec->>'ticket_id' as bigint)", "bigint"),
        Column("score", "rec->>'score'", "varchar"),
        Column("created_at", ts_iso("rec->>'created_at'"), "timestamp"),
        Column("updated_at", ts_iso("rec->>'updated_at'"), "timestamp"),
        Column("assignee_id", "try_cast(rec->>'assignee_id' as bigint)", "bigint"),
        Column("group_id", "try_cast(rec->>'group_id' as bigint)", "bigint"),
        Column("requester_id", "try_cast(rec->>'requester_id' as bigint)", "bigint"),
    ),
    rules=(
        ("id is null", "missing id"),
        *_required_ts("updated_at"),
        (
            f"score is null or score not in ({', '.join(repr(v) for v in SATISFACTION_SCORES)})",
            "unknown satisfaction score",
        ),
    ),
    key="id",
    version="updated_at",
    partition_by="updated_at",
)


# Zendesk's newer CSAT: survey responses (GET /api/v2/guide/survey_responses, reference page "CSAT
# survey responses"). An account has either this or the legacy ratings above ("You can have only
# one CSAT option activated at a time", Satisfaction Ratings reference). A response can be edited
# until its `expires_at`, so raw keeps its versions by (id, updated_at) like the ratings.
#
# What the reference shows and what is assumed:
# - the response has `id` (a string), `answers`, `expires_at`, `responder_id`, `subject_zrns`
#   ("zen:ticket:123"; one of the page's own examples writes "zrn:ticket:99", so only the
#   `:ticket:<id>` tail is read) and its survey as `survey: {id, version, state}` or, in the
#   page's other example, flat `survey_id` / `survey_version`: either is read;
# - the response itself carries no created_at / updated_at in the reference example; its answers
#   do. So a response was submitted when its first answer was created, and its version is its
#   newest answer's update (a top-level updated_at, should one come, wins);
# - the CSAT question is a rating scale question (the CSAT Surveys example: type
#   `rating_scale_emoji`, sub_type `customer_satisfaction`, options carrying `rating` 1..n; the
#   rating links are numeric, emoji or custom text). The reference excerpt does not show the rating
#   answer itself: it is read as the answer to that question with a numeric `rating`, and a
#   `skipped` answer (documented) has no rating, so it counts in no CSAT;
# - a scale of 2 or 3 options exists (the CSAT Surveys example has two). When the answer's
#   question lists its options, a scale other than 5 is rejected as an unknown survey scale rather
#   than read on 1-5; when it does not (the reference is silent), the 5-point scale is assumed and
#   a rating above 5 is rejected.
def _survey_answers() -> str:
    return "json_extract(rec, '$.answers[*]')"


CSAT_ANSWER = (
    f"list_filter({_survey_answers()}, lambda a: starts_with(coalesce(a->'question'->>'type', ''), 'rating_scale') "
    "and coalesce(a->'question'->>'sub_type', 'customer_satisfaction') = 'customer_satisfaction')[1]"
)


def _response_time(field: str, pick: str) -> str:
    """The response's own `field` if it has one, else `pick` (list_min / list_max) of its answers'."""
    answers = f"list_transform({_survey_answers()}, lambda a: try_cast(a->>'{field}' as timestamptz))"
    own = ts_iso(f"rec->>'{field}'")
    return f"coalesce({own}, {pick}({answers})::timestamp)"


ZENDESK_CSAT_SURVEY_RESPONSES = StreamSpec(
    source="zendesk",
    stream="csat_survey_responses",
    mode="versions",
    reader=_json_reader("$.survey_responses[*]"),
    columns=(
        Column("id", "rec->>'id'", "varchar"),
        Column(
            "ticket_id",
            "try_cast(regexp_extract(list_filter(json_extract_string(rec, '$.subject_zrns[*]'), "
            "lambda z: z like '%:ticket:%')[1], ':ticket:([0-9]+)$', 1) as bigint)",
            "bigint",
        ),
        Column("responder_id", "try_cast(rec->>'responder_id' as bigint)", "bigint"),
        Column("survey_id", "coalesce(rec->'survey'->>'id', rec->>'survey_id')", "varchar"),
        Column(
            "survey_version",
            "try_cast(coalesce(rec->'survey'->>'version', rec->>'survey_version') as integer)",
            "integer",
        ),
        Column("rating_question_type", f"({CSAT_ANSWER})->'question'->>'type'", "varchar"),
        Column(
            "rating",
            f"case when ({CSAT_ANSWER})->>'type' is distinct from 'skipped' "
            f"then try_cast(({CSAT_ANSWER})->>'rating' as integer) end",
            "integer",
        ),
        Column("rating_options", f"json_array_length(({CSAT_ANSWER})->'question'->'options')", "integer"),
        Column("submitted_at", _response_time("created_at", "list_min"), "timestamp"),
        Column("updated_at", _response_time("updated_at", "list_max"), "timestamp"),
        Column("expires_at", ts_iso("rec->>'expires_at'"), "timestamp"),
    ),
    rules=(
        ("id is null", "missing id"),
        *_required_ts("submitted_at"),
        *_required_ts("updated_at"),
        ("rating_options is not null and rating_options <> 5", "unknown survey scale"),
        _score_rule("rating", 1, 5, "csat rating out of range"),
    ),
    key="id",
    version="updated_at",
    partition_by="updated_at",
)

# One raw row per child event of a ticket audit: comments (public/private, with author and via),
# field changes (status, group, assignee, priority, response level) and voice calls.
# Events never change: keyed by id (and their creation time), added once, never deleted.
ZENDESK_TICKET_EVENTS = StreamSpec(
    source="zendesk",
    stream="ticket_events",
    mode="versions",
    reader=(
        "select filename, audit, unnest(json_extract(audit, '$.child_events[*]')) as rec from ("
        "select filename, unnest(json_extract(json, '$.ticket_events[*]')) as audit "
        "from read_json_objects({files}, format='unstructured', filename=true, maximum_object_size=536870912))"
    ),
    columns=(
        Column("id", "try_cast(rec->>'id' as bigint)", "bigint"),
        Column("audit_id", "try_cast(audit->>'id' as bigint)", "bigint"),
        Column("ticket_id", "try_cast(audit->>'ticket_id' as bigint)", "bigint"),
        Column("created_at", ts_epoch("audit->>'timestamp'"), "timestamp"),
        Column("updater_id", "try_cast(audit->>'updater_id' as bigint)", "bigint"),
        Column("event_type", "rec->>'event_type'", "varchar"),
        # Every field the KPIs read, typed once at load: history-wide builds then scan columns
        # instead of parsing tens of millions of JSON records again.
        Column("field_name", "rec->>'field_name'", "varchar"),
        Column("value", "rec->>'value'", "varchar"),
        Column("previous_value", "rec->>'previous_value'", "varchar"),
        Column("public", "try_cast(rec->>'public' as boolean)", "boolean"),
        Column("author_id", "try_cast(rec->>'author_id' as bigint)", "bigint"),
        Column("via_channel", "rec->'via'->>'channel'", "varchar"),
        Column("call_duration", "try_cast(rec->'data'->>'call_duration' as integer)", "integer"),
    ),
    rules=(
        ("id is null", "missing id"),
        ("ticket_id is null", "missing ticket_id"),
        ("event_type is null", "missing event_type"),
        *_required_ts("created_at"),
    ),
    key="id",
    version="created_at",
    partition_by="created_at",
)


def _list_or_one_reader(plural: str, singular: str) -> str:
    """Pages of a list endpoint (`{"groups": [...]}`) and answers of its show-by-id endpoint
    (`{"group": {...}}`) in one batch: a deleted group is absent from the list, readable by id."""
    files = "read_json_objects({files}, format='unstructured', filename=true, maximum_object_size=536870912)"
    return (
        f"select filename, rec from (select filename, {json_array(f'$.{plural}[*]')} from {files} "
        f"union all select filename, json_extract(json, '$.{singular}') as rec from {files} "
        f"where json_extract(json, '$.{singular}') is not null)"
    )


def _zendesk_list(stream: str, reader: str, *rules: tuple[str, str]) -> StreamSpec:
    """A small reference list, replaced on each load: id and update time typed, the rest in `_record`."""
    return StreamSpec(
        source="zendesk",
        stream=stream,
        mode="snapshot",
        reader=reader,
        columns=(
            Column("id", "try_cast(rec->>'id' as bigint)", "bigint"),
            Column("updated_at", ts_iso("rec->>'updated_at'"), "timestamp"),
        ),
        rules=(("id is null", "missing id"), *rules),
        key="id",
        version="updated_at",
    )


ZENDESK_GROUPS = _zendesk_list(
    "groups", _list_or_one_reader("groups", "group"), ("rec->>'name' is null", "missing name")
)

# Agents (and any user a ticket names): their email and phone are never read, so raw does not keep
# them. An agent's or admin's name is staff data the manager edition and staff.dim_agent show
# (docs/bi.md): it is kept in a typed column of its own for those roles only, never in `_record`, so
# the name of an end user this stream happens to receive is dropped like every other personal field.
_users = _zendesk_list("users", _json_reader("$.users[*]"))
ZENDESK_USERS = dataclasses.replace(
    _users,
    columns=(
        *_users.columns,
        # the email only as its keyed hash (ingestion.pii), for linking a requester to a CRM contact
        Column("email_hash", email_hash("json_extract_string(rec, '$.email')"), "varchar"),
        Column("agent_name", "case when rec->>'role' in ('agent', 'admin') then rec->>'name' end", "varchar"),
    ),
    record=without({"name": None, "email": None, "phone": None, "alias": None, "signature": None}),
)

# Requesters (end users) the loaded tickets point to, fetched by id (users/show_many): the
# `external_id` and `email` customer links read them. A table of their own, not users: staging
# takes every non-bot user there for an agent, whose public comments count as agent replies.
# Only ids raw does not hold yet are fetched, so a load adds to the table: the newest updated_at
# of an id wins (upsert). What is kept: role, external_id (the id another system gave the
# requester, which the CRM link compares) and the email as its keyed hash; name, email, phone,
# alias, signature, free-text details and notes, photo and custom user fields leave `_record`.
_REQUESTER_PII = {
    "name": None, "email": None, "phone": None, "alias": None, "signature": None, "details": None,
    "notes": None, "photo": None, "remote_photo_url": None, "user_fields": None,
}  # fmt: skip
ZENDESK_REQUESTERS = StreamSpec(
    source="zendesk",
    stream="requesters",
    mode="upsert",
    reader=_json_reader("$.users[*]"),
    columns=(
        Column("id", "try_cast(rec->>'id' as bigint)", "bigint"),
        Column("updated_at", ts_iso("rec->>'updated_at'"), "timestamp"),
        Column("role", "rec->>'role'", "varchar"),
        Column("external_id", "json_extract_string(rec, '$.external_id')", "varchar"),
        Column("email_hash", email_hash("json_extract_string(rec, '$.email')"), "varchar"),
    ),
    # updated_at is the version the upsert keeps the newest of: required, as for ticket metrics
    rules=(("id is null", "missing id"), *_required_ts("updated_at")),
    key="id",
    version="updated_at",
    record=without(_REQUESTER_PII),
)


# Ticket fields (system and custom): how the configured response-level and category fields are
# found by title, and their dropdown options (GET /api/v2/ticket_fields, cursor pagination).
ZENDESK_TICKET_FIELDS = _zendesk_list("ticket_fields", _json_reader("$.ticket_fields[*]"))


# Business-hours schedules (GET /api/v2/business_hours/schedules, reference page "Schedules"):
# name, time zone (a Rails name such as "Pacific Time (US & Canada)" in the reference's example;
# staging maps it to IANA through the seed zendesk_time_zones) and weekly intervals in minutes
# since Sunday midnight, each within one calendar day. Replaced on each load: the API has the
# current hours only, no history of them.
ZENDESK_SCHEDULES = StreamSpec(
    source="zendesk",
    stream="schedules",
    mode="snapshot",
    reader=_json_reader("$.schedules[*]"),
    columns=(
        Column("id", "try_cast(rec->>'id' as bigint)", "bigint"),
        Column("name", "rec->>'name'", "varchar"),
        Column("time_zone", "rec->>'time_zone'", "varchar"),
        Column("created_at", ts_iso("rec->>'created_at'"), "timestamp"),
        Column("updated_at", ts_iso("rec->>'updated_at'"), "timestamp"),
    ),
    rules=(("id is null", "missing id"), ("nullif(time_zone, '') is null", "missing time_zone")),
    key="id",
    version="updated_at",
)

MINUTES_PER_WEEK = 7 * 24 * 60

# One row per weekly interval of a schedule, read from the same pages as the schedules (a
# sideload): typed columns, so the models need no JSON unnesting, which DuckDB, PostgreSQL and
# Spark each spell differently. The key is made of the schedule id and the interval's start.
ZENDESK_SCHEDULE_INTERVALS = StreamSpec(
    source="zendesk",
    stream="schedule_intervals",
    mode="snapshot",
    reader=(
        "select filename, schedule, unnest(json_extract(schedule, '$.intervals[*]')) as rec from ("
        "select filename, unnest(json_extract(json, '$.schedules[*]')) as schedule "
        "from read_json_objects({files}, format='unstructured', filename=true, maximum_object_size=536870912))"
    ),
    columns=(
        Column(
            "id",
            f"try_cast(schedule->>'id' as bigint) * {MINUTES_PER_WEEK} + try_cast(rec->>'start_time' as bigint)",
            "bigint",
        ),
        Column("schedule_id", "try_cast(schedule->>'id' as bigint)", "bigint"),
        Column("start_time", "try_cast(rec->>'start_time' as integer)", "integer"),
        Column("end_time", "try_cast(rec->>'end_time' as integer)", "integer"),
        Column("updated_at", ts_iso("schedule->>'updated_at'"), "timestamp"),
    ),
    rules=(
        ("schedule_id is null", "missing schedule id"),
        ("start_time is null or end_time is null", "missing interval start_time or end_time"),
        (
            f"start_time < 0 or end_time <= start_time or end_time > {MINUTES_PER_WEEK} "
            "or start_time // 1440 <> (end_time - 1) // 1440",
            "interval outside the week, empty, or spanning calendar days",
        ),
    ),
    key="id",
    version="updated_at",
)

# Holidays of each schedule (GET /api/v2/business_hours/schedules/{id}/holidays): a holiday names
# no schedule, so the connector lands each schedule's page as `schedule-<id>-page-<n>.json` and the
# schedule id is read from the file name. Dates are local to the schedule, both ends inclusive.
ZENDESK_SCHEDULE_HOLIDAYS = StreamSpec(
    source="zendesk",
    stream="schedule_holidays",
    mode="snapshot",
    reader=_json_reader("$.holidays[*]"),
    columns=(
        Column("id", "try_cast(rec->>'id' as bigint)", "bigint"),
        Column("schedule_id", "try_cast(regexp_extract(filename, 'schedule-([0-9]+)-', 1) as bigint)", "bigint"),
        Column("name", "rec->>'name'", "varchar"),
        Column("start_date", "try_cast(rec->>'start_date' as date)", "date"),
        Column("end_date", "try_cast(rec->>'end_date' as date)", "date"),
    ),
    rules=(
        ("id is null", "missing id"),
        ("schedule_id is null", "no schedule id in the landed file name"),
        ("start_date is null or end_date is null", "unparseable start_date or end_date"),
        ("end_date < start_date", "holiday ends before it starts"),
    ),
    key="id",
    version="end_date",
)


# SLA policies (GET /api/v2/slas/policies, reference page "SLA Policies"): one raw row per policy
# metric (a policy's target for one priority and one metric, in minutes, in calendar or business
# hours), so staging reads typed columns on every engine instead of unnesting JSON. A policy with
# no policy metrics (the array is optional) keeps one row whose metric is null: it is loaded, not
# lost, and measures nothing. `_record` holds the policy (less its metrics array) and the metric.
# A small list, replaced on each load; (policy, priority, metric) is the key.
def _sla_policy_reader() -> str:
    metrics = "json_extract(policy, '$.policy_metrics[*]')"
    files = "read_json_objects({files}, format='unstructured', filename=true, maximum_object_size=536870912)"
    return (
        "select filename, json_object('policy', json_merge_patch(policy, '{\"policy_metrics\": null}'), "
        "'policy_metric', metric) as rec from ("
        f"select filename, policy, unnest(case when len({metrics}) = 0 then [null::json] else {metrics} end) "
        f"as metric from (select filename, {json_array('$.sla_policies[*]').replace(' as rec', ' as policy')} "
        f"from {files}))"
    )


def _policy(path: str) -> str:
    return f"json_extract_string(rec, '$.policy.{path}')"


def _policy_metric(path: str) -> str:
    return f"json_extract_string(rec, '$.policy_metric.{path}')"


ZENDESK_SLA_POLICIES = StreamSpec(
    source="zendesk",
    stream="sla_policies",
    mode="snapshot",
    reader=_sla_policy_reader(),
    columns=(
        Column(
            "policy_metric_key",
            f"{_policy('id')} || ':' || coalesce({_policy_metric('priority')}, '') || ':' "
            f"|| coalesce({_policy_metric('metric')}, '')",
            "varchar",
        ),
        Column("policy_id", f"try_cast({_policy('id')} as bigint)", "bigint"),
        Column("title", _policy("title"), "varchar"),
        Column("policy_position", f"try_cast({_policy('position')} as integer)", "integer"),
        Column("updated_at", ts_iso(_policy("updated_at")), "timestamp"),
        Column("priority", _policy_metric("priority"), "varchar"),
        Column("metric", _policy_metric("metric"), "varchar"),
        Column("target_minutes", f"try_cast({_policy_metric('target')} as integer)", "integer"),
        Column("business_hours", f"try_cast({_policy_metric('business_hours')} as boolean)", "boolean"),
    ),
    rules=(
        ("policy_id is null", "missing id"),
        (
            f"{_policy_metric('metric')} is not null and (target_minutes is null or target_minutes < 0)",
            "missing or negative target",
        ),
    ),
    key="policy_metric_key",
    version="updated_at",
)

# Ticket metric events (GET /api/v2/incremental/ticket_metric_events, a time-based incremental
# export; "Ticket metric event types reference"): the clock of each metric (reply_time,
# requester_wait_time, agent_work_time, periodic_update_time, pausable_update_time,
# resolution_time) of each ticket, per instance (reply_time's instance 1 is the first reply, later
# ones the next replies): activate, pause, fulfill, apply_sla (the policy and its target),
# breach, update_status (the time measured). Events never change: keyed by (id, time), added once,
# placed on the local day of their time, like ticket events. Typed as event_type and event_time
# (`type` and `time` are type names in SQL). `deleted` is the reference's "the
# event has been deleted" (a breach Zendesk withdrew): kept and typed, and staging honours it.
ZENDESK_TICKET_METRIC_EVENTS = StreamSpec(
    source="zendesk",
    stream="ticket_metric_events",
    mode="versions",
    reader=_json_reader("$.ticket_metric_events[*]"),
    columns=(
        Column("id", "try_cast(json_extract_string(rec, '$.id') as bigint)", "bigint"),
        Column("ticket_id", "try_cast(json_extract_string(rec, '$.ticket_id') as bigint)", "bigint"),
        Column("metric", "json_extract_string(rec, '$.metric')", "varchar"),
        Column("instance_id", "try_cast(json_extract_string(rec, '$.instance_id') as integer)", "integer"),
        Column("event_type", "json_extract_string(rec, '$.type')", "varchar"),
        Column("event_time", ts_iso("json_extract_string(rec, '$.time')"), "timestamp"),
        Column("is_deleted", "coalesce(try_cast(json_extract_string(rec, '$.deleted') as boolean), false)", "boolean"),
        Column("sla_target_minutes", "try_cast(json_extract_string(rec, '$.sla.target') as integer)", "integer"),
        Column(
            "sla_business_hours", "try_cast(json_extract_string(rec, '$.sla.business_hours') as boolean)", "boolean"
        ),
        Column("sla_policy_id", "try_cast(json_extract_string(rec, '$.sla.policy.id') as bigint)", "bigint"),
        Column("sla_policy_title", "json_extract_string(rec, '$.sla.policy.title')", "varchar"),
        Column(
            "status_calendar_minutes", "try_cast(json_extract_string(rec, '$.status.calendar') as integer)", "integer"
        ),
        Column(
            "status_business_minutes", "try_cast(json_extract_string(rec, '$.status.business') as integer)", "integer"
        ),
    ),
    rules=(
        ("id is null", "missing id"),
        ("ticket_id is null", "missing ticket_id"),
        ("metric is null", "missing metric"),
        ("event_type is null", "missing type"),
        *_required_ts("event_time"),
        ("event_type = 'apply_sla' and sla_target_minutes is null", "apply_sla without a target"),
    ),
    key="id",
    version="event_time",
    partition_by="event_time",
)


# CRM objects change, so raw keeps their versions keyed by (id, last modified time), as tickets do:
# a load adds the versions it does not hold and never deletes one; staging picks the newest. An
# archived record (read with `archived=true`; search never returns one) is a version of its own at
# its `archivedAt`, so it is newer than the last live version and staging drops the id. CRM
# streams are not partitioned by day: every version the fetch returns belongs to the load.
def _hubspot(stream: str, modified_property: str) -> StreamSpec:
    archived = "coalesce(try_cast(rec->>'archived' as boolean), false)"
    archived_at, updated = ts_iso("rec->>'archivedAt'"), ts_iso("rec->>'updatedAt'")
    modified = ts_iso(f"coalesce(rec->>'updatedAt', rec->'properties'->>'{modified_property}')")
    return StreamSpec(
        source="hubspot",
        stream=stream,
        mode="versions",
        reader=_json_reader("$.results[*]"),
        columns=(
            Column("id", "try_cast(rec->>'id' as bigint)", "bigint"),
            Column(
                "updated_at",
                f"case when {archived} then coalesce({archived_at}, {updated}) else {modified} end",
                "timestamp",
            ),
            Column("archived", archived, "boolean"),
        ),
        rules=(("id is null", "missing id"), *_required_ts("updated_at")),
        key="id",
        version="updated_at",
    )


# Customers: email and phone are kept only as keyed hashes (ingestion.pii), computed here at load;
# the plain values and the names are removed from `_record`.
_CONTACT_PII = {"email": None, "phone": None, "mobilephone": None, "firstname": None, "lastname": None}
_contacts = _hubspot("contacts", "lastmodifieddate")
HUBSPOT_CONTACTS = dataclasses.replace(
    _contacts,
    columns=(
        *_contacts.columns,
        # json_extract_string, not rec->'properties': in the macro that migrates an older table
        # (loader._add_columns_from_record) DuckDB would read a single `->` as a lambda
        Column("email_hash", email_hash("json_extract_string(rec, '$.properties.email')"), "varchar"),
        Column("phone_hash", phone_hash("json_extract_string(rec, '$.properties.phone')"), "varchar"),
        Column("phone_unparseable", phone_unparseable("json_extract_string(rec, '$.properties.phone')"), "boolean"),
    ),
    record=without({"properties": _CONTACT_PII}),
)
HUBSPOT_COMPANIES = _hubspot("companies", "hs_lastmodifieddate")


# The Delighted survey API (GET /v1/survey_responses.json, "Listing survey responses" in the API
# reference, https://delighted.com/docs/api/listing-survey-responses). A response carries one survey
# type (`survey_type`: nps, csat, ...) and its answer in `score`; `person_properties` holds what was
# sent with the survey request (here the ticket id and channel); `additional_answers` are the
# project's extra questions, each `{question: {id, type, text}, value: {free_response | scale |
# select_one | select_many}}`. config/survey_api.yaml says which type feeds which KPI, on which
# range, and which keys and question ids to read; the columns are the normalized survey shape the
# CSV stream shares (ticket_ref / ticket_id, csat_scale / csat_value, nps_scale / nps_answer, ...).
#
# What the reference leaves open, and the choice made:
# - `updated_at` is null in the reference's own example (a response never changed), so a
#   response's version is its `updated_at`, else its `created_at`; only a value that is given and
#   unparseable is rejected;
# - scores are integers in the reference; one that is not a whole number is treated as missing
#   (and rejected), never rounded (DuckDB's cast of '7.5' to integer rounds to 8);
# - the ticket id is a person property of any JSON type: kept as text (ticket_ref), and linked
#   (ticket_id) only when it is all digits.
# Every column reads only `rec`, through json_extract_string rather than `->` (inside the macro
# that fills a column an old table lacks, loader._add_columns_from_record, DuckDB reads a single
# `->` as a lambda).
def _rec(path: str) -> str:
    return f"nullif(trim(json_extract_string(rec, '{path}')), '')"


def _whole(expr: str) -> str:
    """`expr` (text) as an integer when it is a whole number, else NULL."""
    return f"case when regexp_full_match({expr}, '-?[0-9]{{1,9}}') then cast({expr} as integer) end"


def _sql_names(types: tuple[SurveyType, ...]) -> str:
    return ", ".join(f"'{t.name}'" for t in types) if types else "null"


def _dimension(question: str | None) -> str:
    if question is None:
        return "cast(null as integer)"
    answer = (
        "list_filter(json_extract(rec, '$.additional_answers[*]'), "
        f"lambda a: json_extract_string(a, '$.question.id') = '{question}')[1]"
    )
    return _whole(f"nullif(trim(json_extract_string({answer}, '$.value.scale')), '')")


def _config_name(config: SurveyApiConfig) -> str:
    """The config file as a user finds it: relative to the project when it lives there."""
    try:
        return str(config.path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(config.path)


def survey_api_stream(config: SurveyApiConfig) -> StreamSpec:
    """The raw stream of the survey API, its typed columns and rules compiled from `config`."""
    survey_type, score = _rec("$.survey_type"), _whole(_rec("$.score"))
    five_point, good_bad, nps = config.of("csat"), config.of("csat_good_bad"), config.of("nps")
    is_five_point = f"{survey_type} in ({_sql_names(five_point)})"
    is_good_bad = f"{survey_type} in ({_sql_names(good_bad)})"
    is_nps = f"{survey_type} in ({_sql_names(nps)})"
    good = " ".join(f"when '{t.name}' then {score} = {t.good}" for t in good_bad)
    positive = f"case when {is_five_point} then {score} >= 4 " + (
        f"when {is_good_bad} then case {survey_type} {good} end end" if good_bad else "end"
    )
    csat_value = f"case when {is_five_point} then {score} end"
    nps_answer = f"case when {is_nps} then cast({score} as varchar) end"
    dims = {d: _dimension(config.dimension_questions.get(d)) for d in DIMENSIONS}
    none = "cast(null as varchar)"
    ticket = _rec(f'$.person_properties."{config.ticket_id_property}"') if config.ticket_id_property else none
    channel = _rec(f'$.person_properties."{config.channel_property}"') if config.channel_property else none
    linkable = f"regexp_full_match({ticket}, '[0-9]{{1,18}}')"  # a whole number that fits a bigint
    submitted = ts_epoch("json_extract_string(rec, '$.created_at')")
    updated_given = ts_epoch("json_extract_string(rec, '$.updated_at')")
    answered = " or ".join(f"({e}) is not null" for e in (csat_value, positive, nps_answer, *dims.values()))

    # The reason names the type, so it is SQL over the row rather than a literal (loader.Reason).
    unknown_type = Reason(
        "'unknown survey type ''' || coalesce(survey_type, 'null') || ''': map it under survey_types in "
        f"{_config_name(config)}'"
    )
    rules: list[tuple[str, str | Reason]] = [
        ("id is null", "missing id"),
        *_required_ts("submitted_at"),
        (f"json_extract_string(rec, '$.updated_at') is not null and {updated_given} is null", "unparseable updated_at"),
        _future("updated_at"),
        (f"survey_type is null or survey_type not in ({_sql_names(config.survey_types)})", unknown_type),
    ]
    rules += [
        (
            f"survey_type = '{t.name}' and (score is null or score not between {t.min} and {t.max})",
            f"score missing or out of range for survey type {t.name} ({t.min}-{t.max})",
        )
        for t in config.survey_types
    ]
    rules += [_score_rule(f"{d}_score", 1, 5, f"{d} score out of range") for d in DIMENSIONS]
    return StreamSpec(
        source="surveys",
        stream="api_responses",
        mode="versions",
        reader=_json_reader("$[*]"),
        columns=(
            Column("id", _rec("$.id"), "varchar"),
            Column("submitted_at", submitted, "timestamp"),
            # the version: a response never updated has updated_at null (the reference's example)
            Column("updated_at", f"coalesce({updated_given}, {submitted})", "timestamp"),
            Column("survey_type", survey_type, "varchar"),
            # the score as received, for the range rules; the typed answers below say what it means
            Column("score", score, "integer"),
            Column("ticket_ref", ticket, "varchar"),
            Column("ticket_id", f"case when {linkable} then cast({ticket} as bigint) end", "bigint"),
            Column("channel", channel, "varchar"),
            Column(
                "csat_scale",
                f"case when {is_five_point} then 'five_point' when {is_good_bad} then 'good_bad' end",
                "varchar",
            ),
            Column("csat_scale_min", f"case when {is_five_point} then 1 end", "integer"),
            Column("csat_scale_max", f"case when {is_five_point} then 5 end", "integer"),
            Column("csat_value", csat_value, "integer"),
            Column("is_csat_positive", positive, "boolean"),
            *(Column(f"{d}_score", expr, "integer") for d, expr in dims.items()),
            Column("nps_scale", f"case when {is_nps} then 'zero_to_ten' end", "varchar"),
            Column("nps_answer", nps_answer, "varchar"),
            Column("comment", "json_extract_string(rec, '$.comment')", "varchar"),
            Column("has_kpi_answer", answered, "boolean"),
        ),
        rules=tuple(rules),
        key="id",
        version="updated_at",
        partition_by="updated_at",
    )


# Built from the shipped config at import (the table's columns do not depend on it); a load builds
# it again from the file (ingestion.sources.survey_api.stream_spec), so an edit needs no restart.
SURVEY_API_RESPONSES = survey_api_stream(load_config())

ALL_HTTP_STREAMS: tuple[StreamSpec, ...] = (
    ZENDESK_TICKETS,
    ZENDESK_SATISFACTION_RATINGS,
    ZENDESK_CSAT_SURVEY_RESPONSES,
    ZENDESK_TICKET_METRICS,
    ZENDESK_TICKET_EVENTS,
    ZENDESK_GROUPS,
    ZENDESK_USERS,
    ZENDESK_REQUESTERS,
    ZENDESK_TICKET_FIELDS,
    ZENDESK_SCHEDULES,
    ZENDESK_SCHEDULE_INTERVALS,
    ZENDESK_SCHEDULE_HOLIDAYS,
    ZENDESK_SLA_POLICIES,
    ZENDESK_TICKET_METRIC_EVENTS,
    HUBSPOT_CONTACTS,
    HUBSPOT_COMPANIES,
    SURVEY_API_RESPONSES,
)
