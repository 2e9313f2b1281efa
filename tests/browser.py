"""Drive headless Chromium (Debian ``chromium``) over the DevTools protocol on a pipe.

Standard library only: Chromium started with ``--remote-debugging-pipe`` reads JSON commands
on file descriptor 3 and writes replies and events on 4, each message ending with a NUL byte.
This gives what a person checks: console errors and uncaught exceptions, what was drawn,
tooltips on hover, and a screenshot.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--remote-debugging-pipe",
    "--window-size=1400,900",
]


class Browser:
    def __init__(self):
        if not Path(CHROMIUM).exists():
            raise RuntimeError("Debian chromium is not installed (make browser installs it)")
        self.profile = tempfile.mkdtemp(prefix="diz-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        # Chromium expects its command pipe on fd 3 and its reply pipe on fd 4. Move both ends
        # out of the way first so neither dup2 overwrites the other; 3 and 4 survive the exec.
        def child_fds():
            high_r, high_w = os.dup2(to_chrome_r, 200), os.dup2(from_chrome_w, 201)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            pass_fds=(3, 4),
            preexec_fn=child_fds,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    # --- protocol ---------------------------------------------------------------------
    def _send(self, message: dict) -> None:
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")

    def _receive(self, timeout: float) -> dict:
        import select

        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_chrome], [], [], timeout)
            if not ready:
                raise TimeoutError("no reply from chromium")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, session: bool = False, timeout: float = 60, **params):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self._send(message)
        while True:
            reply = self._receive(timeout)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait(self, seconds: float) -> None:
        """Collect events for a while (the page draws asynchronously)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                self.events.append(self._receive(max(0.01, end - time.monotonic())))
            except TimeoutError:
                break

    # --- what a person does -------------------------------------------------------------
    def open(self, path: Path, settle: float = 2.0, before_load: str | None = None) -> None:
        """Load a page; ``before_load`` is JavaScript run before the page's own scripts."""
        self.events.clear()
        if before_load:
            self.call("Page.addScriptToEvaluateOnNewDocument", session=True, source=before_load)
        self.call("Page.navigate", session=True, url=path.resolve().as_uri())
        self.wait(0.1)
        self.settled(settle)

    def settled(self, settle: float) -> None:
        """Wait until the page has loaded (every script run, every inline resource decoded), then
        for the map's own after-load drawing: at most ``settle`` seconds, at least 0.5."""
        end = time.monotonic() + max(settle, 0.5) * 10
        while time.monotonic() < end and self.evaluate("document.readyState") != "complete":
            self.wait(0.05)
        self.wait(min(settle, 0.5))

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def console_errors(self, allow_urls: tuple[str, ...] = ()) -> list[str]:
        """console.error calls, uncaught exceptions, and failed loads other than ``allow_urls``."""
        errors = []
        for e in self.events:
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append(
                    "console.error: " + " ".join(str(a.get("value", a.get("description"))) for a in p["args"])
                )
            elif method == "Runtime.exceptionThrown":
                details = p["exceptionDetails"]
                errors.append("exception: " + details.get("exception", {}).get("description", details.get("text", "")))
            elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
                url = p["entry"].get("url", "")
                if not any(a in url for a in allow_urls):
                    errors.append(f"log: {p['entry']['text']} {url}")
        return errors

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def hover(self, x: float, y: float) -> None:
        self.call("Input.dispatchMouseEvent", session=True, type="mouseMoved", x=x, y=y)
        self.wait(0.4)

    def screenshot(self, dest: Path) -> Path:
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        dest.write_bytes(base64.b64decode(data))
        return dest

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
