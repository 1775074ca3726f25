"""What every paginated fetch shares: a landed batch, counts, and a guard against paging loops."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingestion.errors import PagingLoopError
from ingestion.landing import LandingBatch


@dataclass
class FetchResult:
    batch: LandingBatch
    pages: int = 0
    records: int = 0
    cursor: str | None = None  # where the next incremental fetch would start
    # records of other streams that came in the same pages (sideloads), counted per stream
    sideloaded: dict[str, int] = field(default_factory=dict)
    # why the source had nothing to give at all (a feature the account does not have), if so
    unavailable: str | None = None

    def add_page(self, body: bytes, records: int, **sideloaded: int) -> None:
        self.batch.write_page(body)
        self.pages += 1
        self.records += records
        for stream, n in sideloaded.items():
            self.sideloaded[stream] = self.sideloaded.get(stream, 0) + n


@dataclass
class CursorGuard:
    """Fails the fetch when a source hands back a cursor it has already given."""

    stream: str
    seen: set[str] = field(default_factory=set)

    def check(self, cursor: str) -> None:
        if cursor in self.seen:
            raise PagingLoopError(
                f"{self.stream}: the source returned cursor {cursor[:80]!r} twice; paging would never end. "
                "Nothing from this fetch was loaded."
            )
        self.seen.add(cursor)
