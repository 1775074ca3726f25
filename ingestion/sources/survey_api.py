"""A Delighted-shaped survey API: /v1/survey_responses.json, paged by Link-header cursors."""

from __future__ import annotations

from ingestion.http import SourceClient
from ingestion.landing import LandingBatch
from ingestion.sources.paging import CursorGuard, FetchResult

PAGE_SIZE = 100  # the API's maximum


def fetch_responses(client: SourceClient, batch: LandingBatch, start: int, end: int) -> FetchResult:
    """Responses last updated (delivered) in [start, end); `updated_until` is inclusive, hence end - 1."""
    result = FetchResult(batch)
    guard = CursorGuard("surveys.api_responses")
    url = "/v1/survey_responses.json"
    params: dict | None = {"per_page": PAGE_SIZE, "updated_since": start, "updated_until": end - 1}
    while True:
        body, data, response = client.get_json(url, params=params)
        result.add_page(body, len(data))
        nxt = response.links.get("next", {}).get("url")
        if not nxt:
            return result
        guard.check(nxt)
        url, params = nxt, None
