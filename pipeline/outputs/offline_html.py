"""Make a Folium page self-contained: every script and stylesheet inlined, nothing fetched.

Folium links Leaflet and its plugins from CDNs. The ``folium-offline`` package (PyPI) carries
the same files; we inline the ones our maps use (Leaflet, MarkerCluster, and jQuery, which
Folium's popups call) and drop the ones they do not (Bootstrap, Font Awesome, awesome-markers):
our legends and popups are plain HTML and our markers are circles, so nothing needs icon fonts
or images. A page that would still load a script or
stylesheet from the network is refused. Basemap tiles are the one remote resource: Leaflet
requests them at run time, and without a network the data layers draw on a plain background.
"""

from __future__ import annotations

import re

from pipeline.errors import DizError

# Not used by our maps: dropped rather than inlined (about 1.1 MB).
DROPPED = ("bootstrap", "fontawesome", "glyphicons", "awesome-markers", "awesome.rotate")
TAG = re.compile(r'<script[^>]*\bsrc="(?P<src>[^"]+)"[^>]*>\s*</script>|<link[^>]*\bhref="(?P<href>[^"]+)"[^>]*/?>')


def _resources() -> dict[str, str]:
    try:
        from offlinefolium.elements import _res  # the CDN files, keyed by their URL
    except ImportError as exc:  # pragma: no cover - pinned dependency
        raise DizError("folium-offline is required to embed Leaflet; install the pinned dependencies") from exc
    return _res


def inline_resources(html: str) -> str:
    resources = _resources()

    def replace(match: re.Match) -> str:
        url = match["src"] or match["href"]
        if any(word in url.lower() for word in DROPPED):
            return ""
        if url not in resources:
            raise DizError(f"map needs {url}, which has no embedded copy; it would not load offline")
        body = resources[url].replace("</script", "<\\/script")
        return f"<script>{body}</script>" if match["src"] else f"<style>{body}</style>"

    page = TAG.sub(replace, html)
    leftover = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(https?:)?//[^"]+"', page)
    if leftover:
        raise DizError(f"map still references remote resources: {leftover[:3]}")
    return page
