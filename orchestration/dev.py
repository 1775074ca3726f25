"""`make dev`: `dagster dev` on the project's workspace, stoppable by SIGTERM to its process group.

Dagster's processes (dagster dev, the webserver, the daemon, the code servers) map SIGTERM to
whatever SIGINT does (dagster._utils.interrupts). A shell that starts a command in the background
(`make dev &`, nohup, a script) starts it with SIGINT ignored, and a non-interactive shell cannot
undo that (`trap - INT` is refused for a signal ignored on entry); so SIGTERM was ignored too, by
every one of them, and the UI kept running. Here SIGINT is set back to its default before
`dagster dev` is exec'd: each Python process then turns SIGINT and SIGTERM into KeyboardInterrupt,
and `dagster dev` shuts the webserver, the daemon and the code servers down.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    dagster = Path(sys.executable).with_name("dagster")  # the one installed beside this Python
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a default disposition survives exec; a handler would not
    os.execv(str(dagster), [str(dagster), "dev", "-w", "workspace.yaml", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
