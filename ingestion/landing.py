"""The landing zone: every page or file exactly as received, before any parsing.

Layout: <landing>/<source>/<stream>/<day>/<batch_id>/<page-000001.json | original file>.
A batch is one fetch; a re-run writes a new batch and never overwrites an old one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4


def new_batch_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid4().hex[:8]


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class LandingBatch:
    """Files of one fetch of one stream. Written atomically (temp file, then rename)."""

    root: Path
    source: str
    stream: str
    day: str
    batch_id: str = field(default_factory=new_batch_id)
    files: list[Path] = field(default_factory=list)

    @property
    def directory(self) -> Path:
        return self.root / self.source / self.stream / self.day / self.batch_id

    def write_page(self, body: bytes, suffix: str = ".json") -> Path:
        return self.write_file(f"page-{len(self.files) + 1:06d}{suffix}", body)

    def write_file(self, name: str, body: bytes) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / _SAFE.sub("_", name)
        tmp = path.with_name(path.name + ".part")
        with open(tmp, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        self.files.append(path)
        return path
