"""HubSpot CRM v3: contacts and companies, incrementally by last-modified time through search.

Search pages with `after` (200 per page at most) and returns at most 10,000 results per query, so
a large pull restarts the query from the last modified time it reached. The high-water mark it
returns is saved only with the data it covers.
"""

from __future__ import annotations

from datetime import datetime

from ingestion.errors import PagingLoopError
from ingestion.http import SourceClient
from ingestion.landing import LandingBatch
from ingestion.sources.paging import CursorGuard, FetchResult

SEARCH_PAGE_SIZE = 200
SEARCH_RESULT_CAP = 10_000

CONTACT_PROPERTIES = (
    "email", "phone", "firstname", "lastname", "customer_tier", "region", "returning_customer",
    "zendesk_user_id", "associatedcompanyid", "createdate", "lastmodifieddate",
)  # fmt: skip
COMPANY_PROPERTIES = ("name", "industry", "region", "createdate", "hs_lastmodifieddate")
MODIFIED_PROPERTY = {"contacts": "lastmodifieddate", "companies": "hs_lastmodifieddate"}


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
