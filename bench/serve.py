"""The sample's loopback API in its own process, keeping every answer it gives (`SampleServer.memo`).

The benchmark warms it once; from then on a request is a dictionary look-up, so the connectors and
the bare fetch are both timed against a source that answers at memory speed. Every new request is
appended to the requests file, which the bare fetch replays in order.

    python -m bench.serve REQUESTS_FILE     # prints "ready <base url>", serves until killed
"""

from __future__ import annotations

import base64
import json
import signal
import sys
from pathlib import Path

from ingestion.sample.server import SampleServer
from ingestion.sample.source import SampleSource


class RecordingMemo(dict):
    """A memo that also appends each new request, in arrival order, to a JSON-lines file."""

    def __init__(self, requests_file: Path) -> None:
        super().__init__()
        self._file = open(requests_file, "a", encoding="utf-8")  # noqa: SIM115 - open for the process's life

    def __setitem__(self, key: tuple[str, str, bytes], value: tuple) -> None:
        method, path, body = key
        line = {"method": method, "path": path, "body": base64.b64encode(body).decode()}
        self._file.write(json.dumps(line) + "\n")
        self._file.flush()
        super().__setitem__(key, value)


def main(argv: list[str]) -> int:
    requests_file = Path(argv[0])
    # Blocked before the server's threads start, so that they inherit the mask and sigwait gets it.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    server = SampleServer(SampleSource.from_env(), memo=RecordingMemo(requests_file))
    server.start()
    print(f"ready {server.base_url}", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
