"""Files a user drops in (outcomes, venues) open with comment lines saying whose data they are:
``# source: <who published it, what, which release>`` (required) and ``# licence: <licence line>``;
then a header row. One reading of that head for every such file."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located
from pipeline.readers.duckcsv import decode

HEAD_BYTES = 1 << 16


@dataclass
class StatedHead:
    source: str
    licence: str | None
    comment_lines: int  # lines before the header that are comments (not read as data)
    header_line: int
    header: list[str]


def stated_head(located: Located, what: str) -> StatedHead:
    """The source and licence comments, how many comment lines, and the header row. ``what`` names the
    data in the message when the source line is missing ("the outcome", "the venues")."""
    with located.path.open("rb") as fh:
        text, _ = decode(fh.read(HEAD_BYTES), located.label)
    comments, lines = {}, text.split("\n")
    skip = 0
    for line in lines:
        if not line.startswith("#"):
            break
        skip += 1
        match = re.match(r"#\s*(source|licence|license)\s*:\s*(.+)", line.strip(), re.I)
        if match:
            comments[match[1].lower().replace("license", "licence")] = match[2].strip()
    if "source" not in comments:
        raise SourceFormatError(located.label, f"no '# source: ...' line naming who published {what}", row=1)
    for at, line in enumerate(lines[skip:], start=skip + 1):
        cells = next(csv.reader([line.rstrip("\r")]), [])
        if any(c.strip() for c in cells):
            return StatedHead(comments["source"], comments.get("licence"), skip, at, [c.strip() for c in cells])
    raise SourceFormatError(located.label, "no header row after the comment lines", row=skip + 1)
