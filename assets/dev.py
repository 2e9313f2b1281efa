"""``make dev``: the Dagster UI and daemon on 127.0.0.1 (port 3000 unless ``DIZ_DEV_PORT``), stopped
cleanly on Ctrl-C or SIGTERM.

``dagster dev`` starts a webserver, a daemon and code servers. Started in a session of its own,
they get the signal from this wrapper only, which asks them to stop (SIGINT, as Ctrl-C would),
waits for them, and only then exits; a group that does not stop within ``GRACE_S`` is killed, so
nothing is left listening.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

GRACE_S = 30


def supervise(command: list[str], grace_s: float = GRACE_S) -> int:
    """Run ``command`` in a session of its own until it ends, or until SIGINT or SIGTERM: then ask its group to
    stop (SIGINT), and kill the group if it has not stopped ``grace_s`` seconds later. The wait is taken a
    second at a time: a wait begun before the signal came would otherwise go on with no end, and a webserver
    still starting up, which does not stop on SIGINT, kept ``make dev`` running after SIGTERM."""
    proc = subprocess.Popen(command, start_new_session=True)
    stopping: dict = {"signal": None, "at": None}

    def stop(signum, _frame):
        stopping["signal"], stopping["at"] = signum, time.monotonic()
        try:
            os.killpg(proc.pid, signal.SIGINT)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        try:
            code = proc.wait(timeout=1)
            break
        except subprocess.TimeoutExpired:
            if stopping["at"] is not None and time.monotonic() - stopping["at"] > grace_s:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
    try:  # anything of the group still alive (a code server) goes too
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if stopping["signal"]:
        print(f"dagster dev stopped ({signal.Signals(stopping['signal']).name})", flush=True)
        return 0
    return code


def main() -> int:
    from pipeline.settings import environment

    port = environment().dev_port
    dagster = Path(sys.executable).with_name("dagster")
    return supervise([str(dagster), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", port])


if __name__ == "__main__":
    sys.exit(main())
