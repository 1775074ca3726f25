"""Survey responses of the sample: drawn from the tickets they rate, some delivered days late.

About 70 % arrive through the survey API (0-10 NPS), the rest in a survey tool's daily CSV export
(3-option "would you recommend"). Scores follow the ticket's speed and resolution.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from ingestion.local_days import local_days_between
from ingestion.sample.tickets import (
    FRT_MEDIAN,
    LONG_RUNNING_ID_OFFSET,
    LONG_RUNNING_LIFETIME_DAYS,
    SampleConfig,
    TicketLife,
    creation_days,
    first_reply_seconds,
    first_solve,
    iso,
    ticket_lives,
    was_reopened,
)

DIMENSIONS = ("speed", "accuracy", "attitude", "resolution")
# The longest a response can trail its ticket's creation: solve (<= 10 d) + submit (<= 3 d) + late (<= 10 d).
MAX_DELIVERY_LAG_DAYS = 24
# Half of a long-running ticket's responses are delivered this many days late, so a response can
# trail a long-running ticket's creation by its lifetime + submit (<= 3 d) + this.
VERY_LATE_DAYS = (25, 35)
LONG_RUNNING_DELIVERY_LAG_DAYS = LONG_RUNNING_LIFETIME_DAYS + 3 + VERY_LATE_DAYS[1]

_COMMENTS = {
    5: ("Very quick and helpful, thank you!", "非常满意", "Solved on the first call."),
    4: ("Good service.", "还不错", "Helpful agent."),
    3: ("OK but took a while.", "一般", ""),
    2: ("Had to explain twice.", "回复太慢", "Slow."),
    1: ("Still not fixed.", "很不满意", "Nobody called back."),
}


@dataclass(frozen=True)
class SurveyResponse:
    response_id: str
    ticket_id: int | None
    channel: str
    route: str  # "api" or "csv"
    submitted: int
    delivered: int
    overall: int
    dimensions: dict[str, int | None]
    nps: int  # 0-10; the CSV tool reports it on the 3-option scale
    comment: str
    defect: str | None = None


def nps_three_option(score: int) -> str:
    return "willing" if score >= 9 else "unsure" if score >= 7 else "unwilling"


def _overall(rng: random.Random, good: bool, slow: bool, unresolved: bool) -> int:
    if unresolved:
        weights = (0.15, 0.2, 0.27, 0.23, 0.15)
    elif good:
        weights = (0.005, 0.01, 0.035, 0.20, 0.75)
    elif slow:
        weights = (0.03, 0.06, 0.16, 0.35, 0.40)
    else:
        weights = (0.01, 0.03, 0.08, 0.30, 0.58)
    return rng.choices((1, 2, 3, 4, 5), weights)[0]


def _clamp(v: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, v))


@lru_cache(maxsize=256)
def responses_for_ticket_day(
    config: SampleConfig, day: date, long_running_only: bool = False
) -> tuple[SurveyResponse, ...]:
    """Responses to the tickets created on local `day` (plus a few with no ticket), or to its
    long-running tickets only. Half of a long-running ticket's responses arrive 25-35 days after
    submission (a survey tool's delayed sync), the lateness a 14-day look-back misses."""
    out: list[SurveyResponse] = []
    for life in ticket_lives(config, day, long_running_only=long_running_only):
        if life.defect or "spam" in life.tags or "test" in life.tags or "closed_by_merge" in life.tags:
            continue
        rng = random.Random(life.survey_seed)
        solved = first_solve(life)
        if solved is None:
            if rng.random() > 0.05:
                continue
            submitted = life.created + rng.randint(86_400, 3 * 86_400)
        else:
            if rng.random() > 0.27:
                continue
            submitted = solved + rng.randint(120, 48 * 3600)
        frt = first_reply_seconds(life)
        slow = frt is None or frt > FRT_MEDIAN[life.channel] * 1.5
        reopened = was_reopened(life)
        overall = _overall(rng, good=not slow and not reopened, slow=slow, unresolved=solved is None or reopened)
        dims: dict[str, int | None] = {}
        for name in DIMENSIONS:
            shift = -1 if (name == "speed" and slow) or (name == "resolution" and reopened) else 0
            dims[name] = _clamp(overall + shift + rng.choice((-1, 0, 0, 0, 1)), 1, 5)
            if rng.random() < 0.04:
                dims[name] = None  # skipped question
        nps = _clamp({5: 9, 4: 8, 3: 6, 2: 4, 1: 2}[overall] + rng.choice((-2, -1, 0, 0, 1, 1)), 0, 10)
        late = rng.random() < 0.18
        delivered = submitted + (rng.randint(86_400, 10 * 86_400) if late else rng.randint(5, 600))
        if life.id % 100_000 >= LONG_RUNNING_ID_OFFSET and rng.random() < 0.5:
            delivered = submitted + rng.randint(VERY_LATE_DAYS[0] * 86_400, VERY_LATE_DAYS[1] * 86_400)
        route = "csv" if rng.random() < 0.3 else "api"
        defect = None
        if rng.random() < config.defect_rate * 3:
            defect = rng.choice(("overall out of range", "nps out of range", "unknown survey scale"))
        out.append(
            SurveyResponse(
                response_id=f"{route}-{life.id}",
                ticket_id=life.id if rng.random() > 0.03 else None,
                channel=life.channel,
                route=route,
                submitted=submitted,
                delivered=delivered,
                overall=overall,
                dimensions=dims,
                nps=nps,
                comment=rng.choice(_COMMENTS[overall]),
                defect=defect,
            )
        )
    return tuple(out)


def responses_delivered(config: SampleConfig, start: int, end: int, now: int, route: str) -> list[SurveyResponse]:
    """Responses on `route` delivered in [start, end) and no later than `now`, oldest first."""
    first_day, last_day = local_days_between(config.timezone, start, end)
    found = []
    for day, long_running_only in _response_days(first_day, last_day):
        for r in responses_for_ticket_day(config, day, long_running_only):
            if r.route == route and start <= r.delivered < end and r.delivered <= now:
                found.append(r)
    found.sort(key=lambda r: (r.delivered, r.response_id))
    return found


def satisfaction_rating(life: TicketLife, now: int) -> dict | None:
    """The ticket's Zendesk satisfaction rating (legacy CSAT) as of `now`, or None.

    Zendesk offers the rating a day after the solve; about half of those offered answer good or
    bad within two days, which updates the same rating. A slow or reopened ticket is rated bad
    more often.
    """
    if life.defect or "spam" in life.tags or "test" in life.tags or "closed_by_merge" in life.tags:
        return None
    solved = first_solve(life)
    rng = random.Random(f"{life.survey_seed}:csat")
    if solved is None or rng.random() > 0.4:
        return None
    offered = solved + 86_400
    answered = offered + rng.randint(3600, 48 * 3600) if rng.random() < 0.5 else None
    if offered > now:
        return None
    frt = first_reply_seconds(life)
    slow = frt is None or frt > FRT_MEDIAN[life.channel] * 1.5
    good = rng.random() < (0.55 if slow or was_reopened(life) else 0.9)
    state = life.state_at(now) or {}
    score, updated = (
        ("offered", offered) if answered is None or answered > now else ("good" if good else "bad", answered)
    )
    return {
        "url": f"https://sample.zendesk.com/api/v2/satisfaction_ratings/{life.id * 10 + 3}.json",
        "id": life.id * 10 + 3,
        "assignee_id": state.get("assignee_id"),
        "group_id": state.get("group_id"),
        "requester_id": life.requester_id,
        "ticket_id": life.id,
        "score": score,
        "comment": None if score in ("offered", "bad") or rng.random() < 0.7 else "Thanks!",
        "reason": "Issue took too long to resolve" if score == "bad" and rng.random() < 0.5 else None,
        "created_at": iso(offered),
        "updated_at": iso(updated),
    }


def ratings_updated(config: SampleConfig, start: int, end: int, now: int) -> list[dict]:
    """Satisfaction ratings whose current version was updated in [start, end), oldest first."""
    first_day, last_day = local_days_between(config.timezone, start, end)
    found = []
    # a rating comes up to 3 days after the solve
    for day, long_running_only in creation_days(first_day, last_day, extra_days=4):
        for life in ticket_lives(config, day, long_running_only=long_running_only):
            rating = satisfaction_rating(life, now)
            if rating is not None and start <= _epoch(rating["updated_at"]) < end:
                found.append(rating)
    found.sort(key=lambda r: (r["updated_at"], r["id"]))
    return found


_CSAT_QUESTION = {
    "headline": {"type": "static", "value": "How would you rate the support you received?"},
    "id": "01GFYBENPDGN1R6NAA4WRDNVFR",
    "sub_type": "customer_satisfaction",
    "type": "rating_scale_numeric",
}
_COMMENT_QUESTION = {
    "alias": "comment",
    "headline": {"type": "static", "value": "Anything else you would like to share about your experience?"},
    "id": "01JQ6E6V6SQ9P0KB16GFZN61VK",
    "type": "open_ended",
}


def csat_survey_response(life: TicketLife, now: int, share: float) -> dict | None:
    """The ticket's Zendesk CSAT survey response (the newer CSAT, 1-5) as of `now`, or None, in
    the shape of the CSAT Survey Responses reference (see tests/fixtures/zendesk/).

    Only tickets the legacy rating left out (its own first draw), `share` of them. The survey is
    offered a day after the solve and answered within two days; one in ten skips the rating and
    leaves only a comment; one in ten changes the rating within a day, which is a new version.
    """
    if life.defect or "spam" in life.tags or "test" in life.tags or "closed_by_merge" in life.tags:
        return None
    solved = first_solve(life)
    if solved is None or random.Random(f"{life.survey_seed}:csat").random() <= 0.4:
        return None
    rng = random.Random(f"{life.survey_seed}:csat-survey")
    if rng.random() >= share:
        return None
    created = solved + 86_400 + rng.randint(3600, 48 * 3600)
    if created > now:
        return None
    frt = first_reply_seconds(life)
    slow = frt is None or frt > FRT_MEDIAN[life.channel] * 1.5
    good = rng.random() < (0.55 if slow or was_reopened(life) else 0.9)
    rating: int | None = rng.choice((4, 5, 5)) if good else rng.randint(1, 3)
    skipped = rng.random() < 0.1
    changed = created + rng.randint(600, 86_400) if rng.random() < 0.1 else None
    updated = created
    if changed is not None and changed <= now:
        rating, updated = min(5, rating + 1), changed
    answer: dict = {"created_at": iso(created), "question": _CSAT_QUESTION, "updated_at": iso(updated)}
    answers = [answer | ({"type": "skipped"} if skipped else {"type": "rating_scale", "rating": rating})]
    if skipped or rng.random() < 0.3:
        answers.append(
            {"created_at": iso(created), "question": _COMMENT_QUESTION, "type": "open_ended",
             "updated_at": iso(created), "value": rng.choice(_COMMENTS[rating or 3])}
        )  # fmt: skip
    response_id = f"01SAMPLE{life.id:018d}"
    return {
        "answers": answers,
        "expires_at": iso(created + 28 * 86_400),
        "id": response_id,
        "responder_id": life.requester_id,
        "subject_zrns": [f"zen:ticket:{life.id}"],
        "subjects": [{"id": str(life.id), "type": "ticket", "zrn": f"zen:ticket:{life.id}"}],
        "survey": {"id": "01J58KJ9RAE0D2EK7HRVM7Z8F2", "state": "enabled", "version": 3},
    }


def csat_survey_responses(config: SampleConfig, start: int, end: int, now: int, by: str) -> list[dict]:
    """CSAT survey responses whose `by` time (created_at, the list's filter, or updated_at, the
    version's) is in [start, end), oldest first. A response's times are those of its answers."""
    first_day, last_day = local_days_between(config.timezone, start, end)
    found = []
    # offered a day after the solve, answered within 2
    for day, long_running_only in creation_days(first_day, last_day, extra_days=4):
        for life in ticket_lives(config, day, long_running_only=long_running_only):
            response = csat_survey_response(life, now, config.csat_survey_share)
            if response is not None and start <= _epoch(response["answers"][0][by]) < end:
                found.append(response)
    found.sort(key=lambda r: (r["answers"][0][by], r["id"]))
    return found


def _epoch(iso_time: str) -> int:
    return int(datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp())


# The survey API's view of a response (Delighted, one survey type per response). A response that
# arrived on time was never changed: its updated_at is null, as in the API reference's example. A
# late one stands for a response changed days later (a comment added, a score corrected): its
# updated_at is that day. Either way it becomes visible to the API when delivered.
LATE_SECONDS = 86_400  # on-time deliveries trail submission by minutes, late ones by 1-10 days


def _response_days(first_day: date, last_day: date):
    """(created_day, long_running_only) of every creation day whose responses can be delivered in
    [first_day, last_day]."""
    day = first_day - timedelta(days=LONG_RUNNING_DELIVERY_LAG_DAYS)
    ordinary_from = first_day - timedelta(days=MAX_DELIVERY_LAG_DAYS)
    while day <= last_day:
        yield day, day < ordinary_from
        day += timedelta(days=1)


def api_updated_at(r: SurveyResponse) -> int | None:
    return r.delivered if r.delivered - r.submitted >= LATE_SECONDS else None


def api_version_at(r: SurveyResponse) -> int:
    """The response's version in raw: its updated_at, else its created_at (submission)."""
    updated = api_updated_at(r)
    return r.submitted if updated is None else updated


def api_responses(config: SampleConfig, start: int, end: int, now: int, by: str) -> list[SurveyResponse]:
    """API responses visible at `now` whose `by` time is in [start, end), in creation order (the
    API's order): `created` (the `since`/`until` filter), `updated` (`updated_since`/`updated_until`,
    which a never-updated response does not match) or `version` (what a day's load keeps)."""
    first_day, last_day = local_days_between(config.timezone, start, end)
    found = []
    for day, long_running_only in _response_days(first_day, last_day):
        for r in responses_for_ticket_day(config, day, long_running_only):
            if r.route != "api" or r.delivered > now:
                continue
            at = {"created": r.submitted, "updated": api_updated_at(r), "version": api_version_at(r)}[by]
            if at is not None and start <= at < end:
                found.append(r)
    found.sort(key=lambda r: (r.submitted, r.response_id))
    return found
