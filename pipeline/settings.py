"""Run settings from ``config/diz.toml`` (or ``DIZ_CONFIG``), with ``DIZ_LAD_CODES`` as a
shortcut to change the study area without editing the file."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import DizError
from pipeline.paths import PROJECT_ROOT

DEFAULT_CONFIG = PROJECT_ROOT / "config" / "diz.toml"
LAD_CODE = re.compile(r"^[EWSN]\d{8}$")
INDEX_MODES = ("default", "deri")
SCALING_BASES = ("study_area", "district", "england")


@dataclass(frozen=True)
class Settings:
    study_area_name: str
    lad_codes: tuple[str, ...]
    index_mode: str = "default"
    scaling_base: str = "study_area"
    knn_k: int = 6
    sensitivity_top_n: int = 20
    sensitivity_change: float = 0.20
    catchment_cap_m: float = 8000.0
    readiness_weights: tuple[tuple[str, float], ...] = (
        ("site_gigabit", 0.4), ("catchment_superfast", 0.2), ("catchment_gigabit", 0.2), ("catchment_index", 0.2))
    inclusion_top_deciles: int = 2
    inclusion_factor_share: float = 0.30
    grid_m: int = 1000
    raster_m: int = 250
    lacking_below_pct: float = 100.0
    served_min_pct: float = 100.0
    reconciliation_warn_pp: float = 5.0
    reconciliation_snapshot: str = "2024-07"
    config_path: Path = field(default=DEFAULT_CONFIG)

    def __post_init__(self) -> None:
        bad = [c for c in self.lad_codes if not LAD_CODE.match(c)]
        if bad or not self.lad_codes:
            raise DizError(f"{self.config_path}: study_area.lad_codes must be LAD codes like E07000095; got {bad or 'none'}")
        if len(set(self.lad_codes)) != len(self.lad_codes):
            raise DizError(f"{self.config_path}: study_area.lad_codes lists a code twice")
        if self.index_mode not in INDEX_MODES:
            raise DizError(f"{self.config_path}: index.mode must be one of {INDEX_MODES}, got {self.index_mode!r}")
        if self.scaling_base not in SCALING_BASES:
            raise DizError(f"{self.config_path}: index.scaling_base must be one of {SCALING_BASES}, got {self.scaling_base!r}")
        parts = {"site_gigabit", "catchment_superfast", "catchment_gigabit", "catchment_index"}
        if {k for k, _ in self.readiness_weights} != parts or any(w < 0 for _, w in self.readiness_weights) \
                or not sum(w for _, w in self.readiness_weights):
            raise DizError(f"{self.config_path}: gp_readiness.weights needs non-negative weights for {sorted(parts)}")
        if self.grid_m % self.raster_m:
            raise DizError(f"{self.config_path}: fibre_gaps.grid_m must be a multiple of raster_m")

    @property
    def weights_path(self) -> Path:
        name = "index_weights_deri.toml" if self.index_mode == "deri" else "index_weights.toml"
        return self.config_path.parent / name


def _read_toml(config_path: Path, seen: tuple[Path, ...] = ()) -> dict:
    """The settings in ``config_path``; ``extends = "other.toml"`` starts from another file's
    settings and replaces them section by section (so a study-area file need not repeat the method)."""
    if config_path in seen:
        raise DizError(f"{config_path}: 'extends' loops back to itself")
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DizError(f"settings file not found: {config_path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DizError(f"{config_path}: not valid TOML: {exc}") from exc
    base_name = raw.pop("extends", None)
    if base_name is None:
        return raw
    base = _read_toml((config_path.parent / base_name).resolve(), (*seen, config_path))
    for section, values in raw.items():
        base[section] = {**base.get(section, {}), **values} if isinstance(values, dict) else values
    return base


def load_settings(path: Path | str | None = None, *, lad_codes: list[str] | None = None) -> Settings:
    """Read the TOML settings; ``DIZ_LAD_CODES`` (or ``lad_codes``) replaces the study area."""
    config_path = Path(path or os.environ.get("DIZ_CONFIG") or DEFAULT_CONFIG).resolve()
    raw = _read_toml(config_path)

    env_lads = os.environ.get("DIZ_LAD_CODES", "").strip()
    if lad_codes is None and env_lads:
        lad_codes = [c.strip().upper() for c in env_lads.split(",") if c.strip()]
    study = raw.get("study_area", {})
    index = raw.get("index", {})
    hot = raw.get("hotspots", {})
    sens = raw.get("sensitivity", {})
    gp = raw.get("gp_readiness", {})
    gaps = raw.get("fibre_gaps", {})
    inclusion = raw.get("inclusion", {})
    series = raw.get("connectivity_series", {})
    return Settings(
        study_area_name=study.get("name", "Study area"),
        lad_codes=tuple(lad_codes if lad_codes is not None else study.get("lad_codes", [])),
        index_mode=index.get("mode", "default"),
        scaling_base=index.get("scaling_base", "study_area"),
        knn_k=int(hot.get("knn_k", 6)),
        sensitivity_top_n=int(sens.get("top_n", 20)),
        sensitivity_change=float(sens.get("weight_change", 0.20)),
        catchment_cap_m=float(gp.get("catchment_cap_m", 8000)),
        readiness_weights=tuple((k, float(v)) for k, v in gp.get("weights", {
            "site_gigabit": 0.4, "catchment_superfast": 0.2, "catchment_gigabit": 0.2, "catchment_index": 0.2}).items()),
        inclusion_top_deciles=int(inclusion.get("top_index_deciles", 2)),
        inclusion_factor_share=float(inclusion.get("factor_top_share", 0.30)),
        grid_m=int(gaps.get("grid_m", 1000)),
        raster_m=int(gaps.get("raster_m", 250)),
        lacking_below_pct=float(gaps.get("lacking_below_pct", 100)),
        served_min_pct=float(gaps.get("served_min_pct", 100)),
        reconciliation_warn_pp=float(series.get("reconciliation_warn_pp", 5.0)),
        reconciliation_snapshot=str(series.get("reconciliation_snapshot", "2024-07")),
        config_path=config_path,
    )
