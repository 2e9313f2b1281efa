"""Markdown rendered to a plain, self-contained HTML page (the method, the headlines), with
markdown-it-py (CommonMark and tables; raw HTML in the source is escaped, not passed through)."""

from __future__ import annotations

import html

from markdown_it import MarkdownIt

STYLE = """body{font:16px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:14px;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;
vertical-align:top;text-align:left}th{background:#f3f3f3}code{background:#f4f4f4;padding:1px 4px;border-radius:3px}
pre{background:#f4f4f4;padding:8px;overflow:auto}h1,h2,h3{line-height:1.2}a{color:#0b5394}"""


def render(markdown: str) -> str:
    return MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)


def markdown_page(markdown: str, title: str, *, back: str | None = None) -> str:
    nav = f"<p><a href='{html.escape(back)}'>&larr; back to the maps and tables</a></p>" if back else ""
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{nav}{render(markdown)}</body></html>\n"
    )
