"""The sample's Zendesk Support API: incremental ticket export (cursor), incremental ticket events
and ticket metric events (time-based), SLA policies, satisfaction ratings, CSAT survey responses,
groups, users and ticket fields."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from ingestion.sample.api_common import ApiError, SampleApi, decode_cursor, encode_cursor
from ingestion.sample.organisation import (
    BOT_USER_ID,
    CATEGORIES,
    CATEGORY_FIELD_ID,
    RESPONSE_LEVEL_FIELD_ID,
    RETIRED_TEAM,
    TEAMS,
    Agent,
    Customer,
    Team,
    customer_by_user_id,
)
from ingestion.sample.sla import sla_policies
from ingestion.sample.tickets import iso

ZENDESK_EXPORT_PAGE = 1000
ZENDESK_LIST_PAGE = 100
# the time-based metric event export's page (the reference's limit for time-based exports)
ZENDESK_METRIC_EVENTS_PAGE = 10_000


def _epoch(iso_time: str) -> int:
    return int(datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp())


class ZendeskApi(SampleApi):
    def zendesk_tickets(self, query: dict[str, list[str]]) -> dict:
        per_page = min(int(query.get("per_page", [ZENDESK_EXPORT_PAGE])[0]), ZENDESK_EXPORT_PAGE)
        if "cursor" in query:
            state = decode_cursor(query["cursor"][0])
            start, after_key = state["start_time"], (state["generated"], state["id"])
        elif "start_time" in query:
            start, after_key = int(query["start_time"][0]), None
        else:
            raise ApiError(400, {"error": "InvalidValue", "description": "start_time or cursor is required"})
        rows, end = self._scan_by_day(
            start, self.source.tickets_updated, key=lambda r: (r[0], r[1]), after_key=after_key, limit=per_page
        )
        last = (rows[-1][0], rows[-1][1]) if rows else after_key or (start, -1)
        after_cursor = encode_cursor({"start_time": start, "generated": last[0], "id": last[1]})
        out = {
            "tickets": [self.ticket_hook(dict(r[2])) for r in rows],
            "after_cursor": after_cursor,
            "after_url": f"/api/v2/incremental/tickets/cursor.json?cursor={after_cursor}",
            "before_cursor": None,
            "before_url": None,
            "end_of_stream": end,
        }
        if "metric_sets" in query.get("include", [""])[0].split(","):
            # the sideload: one Ticket Metrics object per ticket of the page
            out["metric_sets"] = [m for r in rows if (m := self.source.metric_set(r[1])) is not None]
        return out

    def zendesk_ticket_events(self, query: dict[str, list[str]]) -> dict:
        if "start_time" not in query:
            raise ApiError(400, {"error": "InvalidValue", "description": "start_time is required"})
        start = int(query["start_time"][0])
        audits, _ = self._scan_by_day(
            start, self.source.audits_between, key=lambda a: 0, after_key=None, limit=ZENDESK_EXPORT_PAGE
        )
        events = [
            {
                "id": a.id,
                "ticket_id": a.ticket_id,
                "timestamp": a.at,
                "created_at": iso(a.at),
                "updater_id": a.updater_id,
                "via": a.via,
                "system": {"client": "sample", "location": "sample"},
                "event_type": "Audit",
                "merged_ticket_ids": [],
                "child_events": a.child_events,
            }
            for a in audits
        ]
        end_time = events[-1]["timestamp"] if events else start
        include = query.get("include", [""])[0]
        return {
            "ticket_events": events,
            "next_page": f"/api/v2/incremental/ticket_events.json?start_time={end_time}&include={include}",
            "count": len(events),
            "end_of_stream": len(events) < ZENDESK_EXPORT_PAGE,
            "end_time": end_time,
        }

    def zendesk_ticket_metric_events(self, query: dict[str, list[str]]) -> dict:
        """Metric events with time >= `start_time`, up to a page; the next page starts at the last
        event's time (so events of that second come again, as a time-based export does)."""
        if "start_time" not in query:
            raise ApiError(400, {"error": "InvalidValue", "description": "start_time is required"})
        start = int(query["start_time"][0])
        events, _ = self._scan_by_day(
            start, self.source.metric_events_between, key=lambda e: 0, after_key=None,
            limit=ZENDESK_METRIC_EVENTS_PAGE,
        )  # fmt: skip
        end_time = _epoch(events[-1]["time"]) if events else start
        return {
            "ticket_metric_events": events,
            "next_page": f"/api/v2/incremental/ticket_metric_events.json?start_time={end_time}",
            "count": len(events),
            "end_of_stream": len(events) < ZENDESK_METRIC_EVENTS_PAGE,
            "end_time": end_time,
        }

    def zendesk_sla_policies(self, query: dict[str, list[str]]) -> dict:
        """List SLA Policies: every policy on one page (count, next_page, previous_page)."""
        policies = sla_policies()
        return {"sla_policies": policies, "count": len(policies), "next_page": None, "previous_page": None}

    def zendesk_satisfaction_ratings(self, query: dict[str, list[str]]) -> dict:
        """Ratings with `start_time` <= updated_at <= `end_time` (both epoch seconds), by cursor."""
        start = int(query.get("start_time", ["0"])[0])
        end = int(query.get("end_time", [str(self.source.now)])[0]) + 1
        ratings = self._drawn(("ratings", start, end), lambda: self.source.satisfaction_ratings(start, end))
        return self._zendesk_list("satisfaction_ratings", ratings, query, "/api/v2/satisfaction_ratings.json")

    def zendesk_csat_survey_responses(self, query: dict[str, list[str]]) -> dict:
        """Responses created with `filter[created_at_start]` <= created <= `filter[created_at_end]`
        (epoch seconds, CSAT Survey Responses reference), by cursor."""
        start = int(query.get("filter[created_at_start]", ["0"])[0])
        end = int(query.get("filter[created_at_end]", [str(self.source.now)])[0]) + 1
        responses = self._drawn(
            ("csat", start, end), lambda: self.source.csat_survey_responses(start, end, by="created_at")
        )
        return self._zendesk_list("survey_responses", responses, query, "/api/v2/guide/survey_responses")

    def _zendesk_list(self, name: str, records: list[dict], query: dict[str, list[str]], path: str) -> dict:
        size = min(int(query.get("page[size]", [ZENDESK_LIST_PAGE])[0]), ZENDESK_LIST_PAGE)
        offset = int(decode_cursor(query["page[after]"][0])["o"]) if "page[after]" in query else 0
        page = records[offset : offset + size]
        has_more = offset + size < len(records)
        after = encode_cursor({"o": offset + size}) if has_more else None
        keep = {k: v for k, v in query.items() if k not in ("page[after]",)}
        next_query = urlencode({**{k: v[0] for k, v in keep.items()}, "page[after]": after}) if has_more else None
        return {
            name: page,
            "meta": {"has_more": has_more, "after_cursor": after, "before_cursor": None},
            "links": {"next": f"{path}?{next_query}" if next_query else None, "prev": None},
        }

    @staticmethod
    def _group(t: Team, deleted: bool = False) -> dict:
        created = iso(1_640_995_200)
        return {
            "url": f"https://sample.zendesk.com/api/v2/groups/{t.group_id}.json",
            "id": t.group_id,
            "name": t.name,
            "description": "",
            "default": t.group_id == TEAMS[0].group_id,
            "deleted": deleted,
            "is_public": True,
            "created_at": created,
            # a deleted group's last update is its deletion
            "updated_at": iso(1_704_067_200) if deleted else created,
        }

    def zendesk_groups(self, query: dict[str, list[str]]) -> dict:
        # The list leaves deleted groups out (the retired team): tickets still point to it.
        return self._zendesk_list("groups", [self._group(t) for t in TEAMS], query, "/api/v2/groups.json")

    # One Zendesk schedule, the account's default (Admin Center lists it first): Mon-Fri
    # 09:00-18:00 in Beijing time (the Rails name Zendesk uses for Asia/Shanghai), closed on the
    # 2026 Spring Festival and National Day holidays. Zendesk knows no makeup working day: the team
    # calendar (config/business_calendar.yaml) gives the teams that work China's makeup Saturdays.
    SCHEDULE_ID = 360_100
    SCHEDULE_HOLIDAYS = (
        (360_201, "Spring Festival", "2026-02-15", "2026-02-23"),
        (360_202, "National Day", "2026-10-01", "2026-10-07"),
    )

    def zendesk_schedules(self) -> dict:
        day = 24 * 60
        intervals = [{"start_time": d * day + 9 * 60, "end_time": d * day + 18 * 60} for d in range(1, 6)]
        stamp = iso(1_640_995_200)
        schedule = {"id": self.SCHEDULE_ID, "name": "China Standard", "time_zone": "Beijing",
                    "created_at": stamp, "updated_at": stamp, "intervals": intervals}  # fmt: skip
        return {"schedules": [schedule]}

    def zendesk_schedule_holidays(self, schedule_id: int) -> dict:
        if schedule_id != self.SCHEDULE_ID:
            raise ApiError(404, {"error": "RecordNotFound", "description": "Not found"})
        return {"holidays": [{"id": i, "name": n, "start_date": s, "end_date": e}
                             for i, n, s, e in self.SCHEDULE_HOLIDAYS]}  # fmt: skip

    def zendesk_group(self, group_id: int) -> dict:
        """Show Group: answers for a deleted group too, with `deleted: true`."""
        if group_id == RETIRED_TEAM.group_id:
            return {"group": self._group(RETIRED_TEAM, deleted=True)}
        for t in TEAMS:
            if t.group_id == group_id:
                return {"group": self._group(t)}
        raise ApiError(404, {"error": "RecordNotFound", "description": "Not found"})

    @staticmethod
    def _user(a: Agent) -> dict:
        created = iso(1_640_995_200)
        return {
            "id": a.user_id,
            "name": a.name,
            "email": a.email,
            "role": "agent",
            "active": not a.deleted,
            "default_group_id": a.group_id,
            "tags": [],
            "created_at": created,
            "updated_at": iso(1_704_067_200) if a.deleted else created,
        }

    @staticmethod
    def _end_user(c: Customer) -> dict:
        """A customer as the Zendesk end user who files their tickets (Users reference, JSON format).

        Its `external_id` is the customer's CRM contact id, which is what the default
        `hubspot_external_id_property` (hs_object_id) compares, and its email the contact's email
        as the customer typed it (some in capitals): both customer link modes find the contact.
        """
        created = iso(c.created_epoch)
        return {
            "id": c.zendesk_user_id,
            "name": f"{c.first_name} {c.last_name}",
            "email": c.email,
            "phone": c.phone,
            "external_id": str(c.contact_id),
            "role": "end-user",
            "active": True,
            "verified": True,
            "default_group_id": None,
            "organization_id": None,
            "tags": [],
            "user_fields": {},
            "created_at": created,
            "updated_at": created,
        }

    def zendesk_users_show_many(self, query: dict[str, list[str]]) -> dict:
        """Show Many Users: up to 100 ids, agents and end users (the customers); deleted (inactive)
        users only with `include_deleted=true`. Ids that are no user are left out, as the API does."""
        ids = {int(i) for i in query.get("ids", [""])[0].split(",") if i.strip()}
        if len(ids) > 100:
            raise ApiError(400, {"error": "InvalidValue", "description": "at most 100 ids"})
        with_deleted = query.get("include_deleted", ["false"])[0] == "true"
        org = self.source.organisation
        users = [self._user(a) for a in org.agents if a.user_id in ids and (with_deleted or not a.deleted)]
        users += [self._end_user(c) for i in sorted(ids) if (c := customer_by_user_id(org, i)) is not None]
        return {"users": users}

    def zendesk_ticket_fields(self, query: dict[str, list[str]]) -> dict:
        """The account's ticket fields: a few system fields and the two custom dropdowns."""
        created = iso(1_640_995_200)

        def field(field_id: int, type_: str, title: str, options: list[tuple[str, str]] | None = None) -> dict:
            out = {
                "url": f"https://sample.zendesk.com/api/v2/ticket_fields/{field_id}.json",
                "id": field_id,
                "type": type_,
                "title": title,
                "raw_title": title,
                "description": "",
                "raw_description": "",
                "position": len(fields),
                "active": True,
                "required": False,
                "visible_in_portal": False,
                "editable_in_portal": False,
                "removable": type_ == "tagger",
                "created_at": created,
                "updated_at": created,
            }
            if options is not None:
                # `value` is the tag a ticket's custom_fields and events carry; `name` the label
                out["custom_field_options"] = [
                    {"id": field_id * 10 + n, "name": name, "raw_name": name, "value": value, "default": False}
                    for n, (name, value) in enumerate(options, start=1)
                ]
            return out

        fields: list[dict] = []
        for spec in (
            (360_000_000_101, "subject", "Subject"),
            (360_000_000_102, "status", "Status"),
            (360_000_000_103, "priority", "Priority"),
            (360_000_000_104, "group", "Group"),
            (360_000_000_105, "assignee", "Assignee"),
        ):
            fields.append(field(*spec))
        fields.append(
            field(
                RESPONSE_LEVEL_FIELD_ID,
                "tagger",
                "Response level",
                [("L1 - Routine", "l1"), ("L2 - Coordination", "l2"), ("L3 - Major incident", "l3")],
            )
        )
        fields.append(
            field(
                CATEGORY_FIELD_ID,
                "tagger",
                "Ticket category",
                [(c.replace("_", " ").capitalize(), c) for c in CATEGORIES],
            )
        )
        fields.sort(key=lambda f: f["id"])  # cursor pagination returns fields in id order
        return self._zendesk_list("ticket_fields", fields, query, "/api/v2/ticket_fields.json")

    def zendesk_users(self, query: dict[str, list[str]]) -> dict:
        created = iso(1_640_995_200)
        # The list leaves deleted agents out (the retired team's agent).
        users = [self._user(a) for a in self.source.organisation.agents if not a.deleted]
        users.append(
            {
                "id": BOT_USER_ID,
                "name": "Auto-Reply Bot",
                "email": None,
                "role": "agent",
                "active": True,
                "default_group_id": None,
                "tags": ["bot"],
                "created_at": created,
                "updated_at": created,
            }
        )
        return self._zendesk_list("users", users, query, "/api/v2/users.json")
