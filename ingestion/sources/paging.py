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

    def add_page(self, body: bytes, records: int) -> None:
        self.batch.write_page(body)
        self.pages += 1
        self.records += records


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
