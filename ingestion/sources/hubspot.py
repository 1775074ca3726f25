"""HubSpot CRM v3: contacts and companies, incrementally by last-modified time through search.

Search pages with `after` (200 per page at most) and returns at most 10,000 results per query, so
a large pull restarts the query from the last modified time it reached. The high-water mark it
returns is saved only with the data it covers.

Real portals differ from the sample in three ways this module handles (CRM v3 reference pages
"Search the CRM", "Properties", "Contacts"):
- every property value is a string or null, a cleared value is `""`, and a requested property the
  portal lacks is simply left out of `properties`: the custom properties the KPIs read (tier,
  region, returning flag, Zendesk link) are configured per account and checked at start-up
  against `GET /crm/v3/properties/{objectType}`;
- search never returns archived records, so archived ones are read from the list endpoint with
  `archived=true` and land as their own version (staging drops an id whose newest version is
  archived);
- a merge keeps the survivor, whose `hs_merged_object_ids` lists the merged-away ids (`;`-separated).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from ingestion.errors import PagingLoopError
from ingestion.http import SourceClient
from ingestion.landing import LandingBatch
from ingestion.sources.paging import CursorGuard, FetchResult

SEARCH_PAGE_SIZE = 200
SEARCH_RESULT_CAP = 10_000

CONTACT_PROPERTIES = (
    "email", "phone", "firstname", "lastname", "customer_tier", "region", "returning_customer",
    "zendesk_user_id", "associatedcompanyid", "createdate", "lastmodifieddate", "hs_merged_object_ids",
)  # fmt: skip
COMPANY_PROPERTIES = ("name", "industry", "region", "createdate", "hs_lastmodifieddate")
# The search reference's default properties: contacts carry `lastmodifieddate`, companies
# `hs_lastmodifieddate`; each object is filtered and sorted on its own.
MODIFIED_PROPERTY = {"contacts": "lastmodifieddate", "companies": "hs_lastmodifieddate"}
LIST_PAGE_SIZE = 100  # the objects list endpoint's maximum `limit`

# The one home of the per-account property names: dbt_project.yml's vars, read by staging and here.
DBT_PROJECT_FILE = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"
# What each configured property means for the KPIs when a portal lacks it.
CUSTOM_ROLES = {
    "customer_tier": "every customer's tier is 'unknown'",
    "region": "every customer's region is 'unknown'",
    "returning_customer": "no customer counts as returning",
    "zendesk_user_id": "no ticket is linked to a customer (customer_tier 'unknown' on every ticket)",
}
LINK_MODES = ("contact_property", "external_id", "email")


@dataclass(frozen=True)
class CrmConfig:
    """The contact properties that carry tier, region, returning flag and the Zendesk link, and
    how a Zendesk requester finds its contact (see dbt_project.yml, vars `hubspot_*`)."""

    properties: dict[str, str]  # role (CUSTOM_ROLES key) -> this portal's property name
    link: str = "contact_property"
    external_id_property: str = "hs_object_id"

    def contact_properties(self) -> tuple[str, ...]:
        """The search's `properties`: the standard ones, then every configured one the link needs."""
        wanted = [p for p in CONTACT_PROPERTIES if p not in CUSTOM_ROLES]
        for role, name in self.properties.items():
            if role != "zendesk_user_id" or self.link == "contact_property":
                wanted.append(name)
        if self.link == "external_id" and self.external_id_property != "hs_object_id":
            wanted.append(self.external_id_property)
        return tuple(dict.fromkeys(wanted))

    def required(self) -> dict[str, str]:
        """property name -> what its absence means, for the properties this link mode reads."""
        needed = {
            name: CUSTOM_ROLES[role]
            for role, name in self.properties.items()
            if role != "zendesk_user_id" or self.link == "contact_property"
        }
        if self.link == "external_id" and self.external_id_property != "hs_object_id":
            needed[self.external_id_property] = CUSTOM_ROLES["zendesk_user_id"]
        return needed


def load_crm_config(path: Path = DBT_PROJECT_FILE) -> CrmConfig:
    variables: dict[str, Any] = (yaml.safe_load(path.read_text()) or {}).get("vars") or {}
    names = {role: str(variables.get(f"hubspot_{role}_property", role)) for role in CUSTOM_ROLES}
    link = str(variables.get("hubspot_customer_link", "contact_property"))
    if link not in LINK_MODES:
        raise ValueError(f"dbt var hubspot_customer_link is {link!r}; expected one of {', '.join(LINK_MODES)}")
    return CrmConfig(names, link, str(variables.get("hubspot_external_id_property", "hs_object_id")))


def missing_properties(client: SourceClient, object_type: str, wanted: dict[str, str]) -> dict[str, str]:
    """The wanted properties the portal does not define (Properties API, archived ones excluded),
    each with what its absence means. Search would silently leave them out of every record."""
    _, data, _ = client.get_json(f"/crm/v3/properties/{object_type}")
    defined = {p.get("name") for p in data.get("results", []) if not p.get("archived")}
    return {name: meaning for name, meaning in wanted.items() if name not in defined}


def fetch_archived(client: SourceClient, result: FetchResult, object_type: str, properties: tuple[str, ...]) -> None:
    """Archived records, into the same batch as the search pages: search never returns them, so
    this is how an archived contact leaves the dimension. Paged by `after` like search."""
    guard = CursorGuard(f"hubspot.{object_type}.archived")
    after: str | None = None
    while True:
        params: dict[str, Any] = {"archived": "true", "limit": LIST_PAGE_SIZE, "properties": ",".join(properties)}
        if after:
            params["after"] = after
        raw, data, _ = client.get_json(f"/crm/v3/objects/{object_type}", params=params)
        result.add_page(raw, len(data.get("results", [])))
        after = (data.get("paging") or {}).get("next", {}).get("after")
        if not after:
            return
        guard.check(after)


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def fetch_modified_since(
    client: SourceClient,
    batch: LandingBatch,
    object_type: str,
    properties: tuple[str, ...],
    since_ms: int,
) -> FetchResult:
    modified = MODIFIED_PROPERTY[object_type]
    result = FetchResult(batch, cursor=str(since_ms))
    guard = CursorGuard(f"hubspot.{object_type}")
    lower = since_ms
    after: str | None = None
    while True:
        body = {
            "filterGroups": [{"filters": [{"propertyName": modified, "operator": "GTE", "value": str(lower)}]}],
            "sorts": [{"propertyName": modified, "direction": "ASCENDING"}],
            "properties": list(properties),
            "limit": SEARCH_PAGE_SIZE,
        }
        if after:
            body["after"] = after
        raw, data, _ = client.post_json(f"/crm/v3/objects/{object_type}/search", body)
        results = data["results"]
        result.add_page(raw, len(results))
        if results:
            result.cursor = str(max(int(result.cursor or 0), _ms(results[-1]["updatedAt"])))
        nxt = (data.get("paging") or {}).get("next", {}).get("after")
        if not nxt:
            return result
        guard.check(f"{lower}:{nxt}")
        if int(nxt) + SEARCH_PAGE_SIZE > SEARCH_RESULT_CAP:
            # Restart from the newest modified time reached; records at that instant come again
            # and the loader keeps one version of each.
            new_lower = _ms(results[-1]["updatedAt"])
            if new_lower == lower:
                raise PagingLoopError(
                    f"hubspot.{object_type}: more than {SEARCH_RESULT_CAP} records share modified time "
                    f"{new_lower}; the search API cannot page past them."
                )
            lower, after = new_lower, None
        else:
            after = nxt
