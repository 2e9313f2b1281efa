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
from pathlib import Path

GRACE_S = 30


def main() -> int:
    from pipeline.settings import environment

    port = environment().dev_port
    dagster = Path(sys.executable).with_name("dagster")
    proc = subprocess.Popen(
        [str(dagster), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", port], start_new_session=True
    )
    stopping = {"signal": None}

    def stop(signum, _frame):
        stopping["signal"] = signum
        try:
            os.killpg(proc.pid, signal.SIGINT)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        try:
            code = proc.wait(timeout=GRACE_S if stopping["signal"] else None)
            break
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    try:  # anything of the group still alive (a code server) goes too
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if stopping["signal"]:
        print(f"dagster dev stopped ({signal.Signals(stopping['signal']).name})")
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
