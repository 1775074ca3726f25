"""What the sample's three API simulations share: the API error they answer with, opaque cursors,
and the base their classes build on (the sample source, lists drawn once per filter, a walk over
local days)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from datetime import timedelta

from ingestion.local_days import day_bounds, local_day
from ingestion.sample.source import SampleSource


class ApiError(Exception):
    def __init__(self, status: int, body: dict) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def encode_cursor(payload: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(cursor.encode()))


class SampleApi:
    """The state every API simulation reads: the sample source and the lists drawn once per filter."""

    source: SampleSource
    _lists: dict[tuple, list[dict]]
    _lists_lock: threading.Lock

    def _scan_by_day(self, start: int, fetch: Callable[[int, int], list], key, after_key, limit: int):
        """Walk local days from `start` to now, gathering up to `limit` records past `after_key`."""
        tz = self.source.config.timezone
        day = local_day(tz, start)
        out: list = []
        end_of_stream = False
        while len(out) < limit:
            lo, hi = day_bounds(tz, day)
            lo = max(lo, start)
            if lo > self.source.now:
                end_of_stream = True
                break
            for rec in fetch(lo, min(hi, self.source.now + 1)):
                if after_key is None or key(rec) > after_key:
                    out.append(rec)
            day += timedelta(days=1)
        if len(out) > limit:
            out = out[:limit]
        elif len(out) < limit:
            end_of_stream = True
        return out, end_of_stream

    def _drawn(self, key: tuple, draw: Callable[[], list[dict]]) -> list[dict]:
        with self._lists_lock:
            if key not in self._lists:
                self._lists[key] = draw()
            return self._lists[key]
