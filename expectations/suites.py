"""The suites: what must hold in each table before it is published.

Every rule here is a correctness rule and blocks publishing; the volume anomaly check
(expectations.anomaly) only warns. The suites of day slices hold no row-count rule: a day with no
ticket or survey (a weekend, a holiday, a small team) is ordinary, and volume is the anomaly
check's business. Whole tables (scorecard, dimensions) must have rows.
"""

from __future__ import annotations

import great_expectations as gx
from great_expectations.expectations import Expectation

CHANNELS = ["phone", "chat", "email", "app", "wechat", "social", "web_form", "other"]
# Anything that looks like an email address, or a whole value that looks like a phone number.
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
PHONE_PATTERN = r"^\+?[0-9][0-9 ()\-]{7,}[0-9]$"
RATE_COLUMNS = [
    "frt_attainment", "fcr_rate", "resolution_rate", "reopen_rate", "escalation_rate", "complaint_rate",
    "complaint_escalation_compliance", "complaint_feedback_48h", "escalation_sla_attainment",
    "resolution_sla_attainment", "csat_rate", "speed_score_positive_rate",
    "accuracy_score_positive_rate", "attitude_score_positive_rate", "resolution_score_positive_rate",
]  # fmt: skip
SCORE_COLUMNS = ["overall_score", "speed_score", "accuracy_score", "attitude_score", "resolution_score"]


def _has_rows() -> Expectation:
    return gx.expectations.ExpectTableRowCountToBeBetween(min_value=1)


def _between(column: str, lo: float | None = None, hi: float | None = None) -> Expectation:
    return gx.expectations.ExpectColumnValuesToBeBetween(column=column, min_value=lo, max_value=hi)


def no_personal_data(text_columns: list[str]) -> list[Expectation]:
    out: list[Expectation] = []
    for column in text_columns:
        out.append(gx.expectations.ExpectColumnValuesToNotMatchRegex(column=column, regex=EMAIL_PATTERN))
        out.append(gx.expectations.ExpectColumnValuesToNotMatchRegex(column=column, regex=PHONE_PATTERN))
    return out


def fct_kpi_daily(text_columns: list[str]) -> list[Expectation]:
    return [
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["kpi_date", "channel", "team", "customer_tier"]),
        gx.expectations.ExpectColumnValuesToBeInSet(column="channel", value_set=CHANNELS),
        *(_between(c, 0, 1) for c in RATE_COLUMNS),
        _between("nps", -100, 100),
        _between("csat_mean", 1, 5),
        *(
            _between(c, 0)
            for c in (
                "frt_seconds",
                "frt_business_seconds",
                "aht_seconds",
                "first_response_seconds_sum",
                "business_first_response_seconds_sum",
                "handle_seconds_sum",
                "talk_seconds_sum",
            )
        ),
        *no_personal_data(text_columns),
    ]


def fct_tickets(text_columns: list[str]) -> list[Expectation]:
    return [
        gx.expectations.ExpectColumnValuesToBeUnique(column="ticket_id"),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="ticket_id"),
        gx.expectations.ExpectColumnValuesToBeInSet(column="channel", value_set=CHANNELS),
        *(
            _between(c, 0)
            for c in (
                "first_response_seconds",
                "handle_seconds",
                "talk_seconds",
                "business_first_response_seconds",
                "business_resolution_seconds",
                "requester_wait_seconds",
                "business_requester_wait_seconds",
                "agent_wait_seconds",
                "business_agent_wait_seconds",
            )
        ),
        *no_personal_data(text_columns),
    ]


def fct_survey_responses(text_columns: list[str]) -> list[Expectation]:
    return [
        gx.expectations.ExpectColumnValuesToBeUnique(column="response_id"),
        gx.expectations.ExpectColumnValuesToBeInSet(column="channel", value_set=CHANNELS),
        *(_between(c, 1, 5) for c in SCORE_COLUMNS),
        _between("nps_value", 0, 10),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="nps_category", value_set=["promoter", "passive", "detractor"]
        ),
        *no_personal_data(text_columns),
    ]


def stg_zendesk__tickets(text_columns: list[str]) -> list[Expectation]:
    """Tickets as staged: one version per ticket, mapped channel, timestamps present and ordered."""
    return [
        gx.expectations.ExpectColumnValuesToBeUnique(column="ticket_id"),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="created_at"),
        gx.expectations.ExpectColumnValuesToBeInSet(column="channel", value_set=CHANNELS),
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="updated_at", column_B="created_at", or_equal=True
        ),
    ]


def published_table(text_columns: list[str]) -> list[Expectation]:
    """Dimensions and the scorecard: present, and free of personal data."""
    return [_has_rows(), *no_personal_data(text_columns)]


def ticket_freshness(newest_allowed_before: str) -> list[Expectation]:
    """The newest ticket update is within 36 h of the partition's end."""
    return [gx.expectations.ExpectColumnMaxToBeBetween(column="updated_at", min_value=newest_allowed_before)]


def reject_share(max_share: float) -> list[Expectation]:
    return [_between("reject_share", 0, max_share)]


def quarantine_share(max_share: float) -> list[Expectation]:
    return [_between("quarantine_share", 0, max_share)]
