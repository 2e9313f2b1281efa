"""The source files, as observable source assets: their data version is the files' fingerprint,
so a new download makes exactly the steps that read it stale (group sources)."""

from assets.factory import source_assets

assets = source_assets()
