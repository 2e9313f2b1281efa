"""Run settings: the study area and method options from config/diz.toml."""

import dagster as dg

from pipeline.settings import Settings, load_settings


class SettingsResource(dg.ConfigurableResource):
    """Which districts to run and which method options to use.

    ``config_path`` defaults to ``DIZ_CONFIG`` or ``config/diz.toml``; ``DIZ_LAD_CODES``
    overrides the study area without editing the file.
    """

    config_path: str | None = None

    def get(self) -> Settings:
        return load_settings(self.config_path)
