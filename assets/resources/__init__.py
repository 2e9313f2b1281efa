"""Resources, one per file: settings (what to run), storage (where), DuckDB (how)."""

from assets.resources.duckdb_resource import DuckDBResource
from assets.resources.settings_resource import SettingsResource
from assets.resources.storage_resource import StorageResource

__all__ = ["DuckDBResource", "SettingsResource", "StorageResource"]
