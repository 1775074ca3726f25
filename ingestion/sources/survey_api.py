"""The Delighted survey API: GET /v1/survey_responses.json, paged by page number.

What the API reference ("Listing survey responses",
https://delighted.com/docs/api/listing-survey-responses) says, and what is assumed where it is
silent:

- results come "in creation order, with the oldest item first, and are paginated" through the
  parameters `page` (from 1) and `per_page` (default 20, at most 100). Unlike the people list it
  has no Link header; the connector this replaces followed one and stopped after the first 100.
- the reference does not state how the last page shows: the official clients leave paging to the
  caller, and singer-io/tap-delighted pages until a page comes back empty. So does this: a short
  page is not taken as the end (an API that caps a page below `per_page` would lose the rest).
- `since` / `until` filter by creation, `updated_since` / `updated_until` by update, both ends
  inclusive ("on or after" / "on or before"), Unix seconds; hence `end - 1` for a day [start, end).
- the reference's example response has `updated_at: null` (never changed), and it does not say
  whether `updated_since` matches such a response. A day is therefore fetched twice: responses
  updated in it, and responses created in it. One that both passes return lands twice, and the
  loader counts the second copy a duplicate (versions by id and updated_at, else created_at).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ingestion.errors import PagingLoopError
from ingestion.http import SourceClient
from ingestion.landing import LandingBatch
from ingestion.sources.paging import FetchResult
from ingestion.streams import StreamSpec, survey_api_stream
from ingestion.survey_api_config import CONFIG_PATH, load_config

PATH = "/v1/survey_responses.json"
PAGE_SIZE = 100  # the documented maximum of per_page
# A day of one account past a million responses is a loop, not data: fail instead of paging forever.
MAX_PAGES = 10_000


def stream_spec(config_path: Path = CONFIG_PATH) -> StreamSpec:
    """The raw stream as config/survey_api.yaml says now (read at every load, so an edit applies
    on the next run without restarting Dagster)."""
    return survey_api_stream(load_config(config_path))


def _pages(client: SourceClient, result: FetchResult, window: dict[str, int]) -> None:
    """Every page of one filtered listing, landed as received, until an empty page."""
    previous: str | None = None
    for page in range(1, MAX_PAGES + 1):
        body, data, _ = client.get_json(PATH, params={**window, "per_page": PAGE_SIZE, "page": page})
        if not isinstance(data, list):
            raise PagingLoopError(
                f"surveys.api_responses: page {page} of {PATH} is not a JSON list of responses "
                f"(got {type(data).__name__}); nothing from this fetch was loaded."
            )
        if not data:
            result.add_page(body, 0)
            return
        digest = hashlib.sha256(body).hexdigest()
        if digest == previous:
            raise PagingLoopError(
                f"surveys.api_responses: page {page} of {PATH} ({window}) is identical to page {page - 1}; "
                "the API is ignoring `page`, so paging would never end. Nothing from this fetch was loaded."
            )
        previous = digest
        result.add_page(body, len(data))
    raise PagingLoopError(
        f"surveys.api_responses: {PATH} ({window}) still returned responses after {MAX_PAGES} pages of "
        f"{PAGE_SIZE}; stopping instead of paging forever. Nothing from this fetch was loaded."
    )


def fetch_responses(client: SourceClient, batch: LandingBatch, start: int, end: int) -> FetchResult:
    """Responses updated in [start, end), and those created in it (whose updated_at may be null)."""
    result = FetchResult(batch)
    _pages(client, result, {"updated_since": start, "updated_until": end - 1})
    _pages(client, result, {"since": start, "until": end - 1})
    return result
