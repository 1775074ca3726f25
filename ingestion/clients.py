"""Open a client for a source: the configured account, or the embedded sample on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ingestion.errors import IngestionError, SourceAuthError
from ingestion.http import Pacer, SourceClient
from ingestion.settings import Settings, SourceEndpoint


def _client(
    endpoint: SourceEndpoint, base_url: str, creds: dict, settings: Settings, *, paced: bool = True
) -> SourceClient:
    common = {"timeout_seconds": settings.http_timeout_seconds, "max_retries": settings.http_max_retries}
    if endpoint.source == "zendesk":
        per_minute = settings.zendesk_export_requests_per_minute if paced else 0
        return SourceClient(
            endpoint,
            base_url,
            auth=(f"{creds['email']}/token", creds["api_token"]),
            pacer=Pacer(per_minute, "/incremental/") if per_minute > 0 else None,
            **common,
        )
    if endpoint.source == "hubspot":
        return SourceClient(endpoint, base_url, headers={"Authorization": f"Bearer {creds['access_token']}"}, **common)
    if endpoint.source == "survey_api":
        return SourceClient(endpoint, base_url, auth=(creds["api_key"], ""), **common)
    raise ValueError(f"unknown source {endpoint.source!r}")


@contextmanager
def open_client(settings: Settings, source: str) -> Iterator[SourceClient]:
    endpoint = settings.endpoint(source)
    if endpoint.mode == "off":  # the pipeline skips an off source before it connects
        raise IngestionError(settings.source_off(source))
    if endpoint.uses_sample:
        from ingestion.sample.server import SAMPLE_CREDENTIALS, SampleServer
        from ingestion.sample.source import SampleSource

        with SampleServer(SampleSource.from_env()) as server:
            # the embedded sample has no rate limit to respect
            yield _client(endpoint, server.base_url, SAMPLE_CREDENTIALS[source], settings, paced=False)
        return
    values = {endpoint.url_variable: endpoint.base_url}
    values.update(zip(endpoint.credential_variables, endpoint.credentials.values(), strict=True))
    missing = [var for var, value in values.items() if not value]
    if missing:
        given = [var for var in values if var not in missing]
        raise SourceAuthError(
            f"{source}: {' and '.join(given)} {'is' if len(given) == 1 else 'are'} set, so the real account "
            f"is used, but {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set."
        )
    assert endpoint.base_url is not None  # not missing
    yield _client(endpoint, endpoint.base_url, endpoint.credentials, settings)
