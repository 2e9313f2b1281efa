"""Run settings from ``config/diz.toml`` (or ``DIZ_CONFIG``), with ``DIZ_LAD_CODES`` as a shortcut
to change the study area without editing the file.

Every value is checked before any source is read: a bad one stops the run with one line naming
the setting, where it came from (the file, or the environment variable) and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.errors import SettingsError
from pipeline.paths import PROJECT_ROOT

DEFAULT_CONFIG = PROJECT_ROOT / "config" / "diz.toml"
LAD_CODE_PATTERN = r"^[EWSN]\d{8}$"


def upper_codes(value):
    """District codes as written in any case, with spaces: ' e07000073' -> 'E07000073'."""
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip().upper() for v in value)
    return value


DistrictCodes = Annotated[tuple[str, ...], BeforeValidator(upper_codes)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StudyArea(_Section):
    name: str = "Study area"
    lad_codes: DistrictCodes = Field(min_length=1)

    @field_validator("lad_codes")
    @classmethod
    def _codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        import re

        bad = [c for c in value if not re.match(LAD_CODE_PATTERN, c)]
        if bad:
            raise ValueError(
                f"{', '.join(repr(c) for c in bad)} is not a district code "
                "(a letter E, W, S or N and 8 digits, e.g. E07000073)"
            )
        if len(set(value)) != len(value):
            raise ValueError("lists a district twice")
        return value


class Geography(_Section):
    small_area: Literal["lsoa2021", "lsoa2011"] = "lsoa2021"


class Index(_Section):
    # The headline index of lsoa_index: inclusion need (people only), the earlier mixed index, or
    # the GMCA DERI v1.4-compatible structure. Need and supply gap are always computed apart.
    mode: Literal["need", "mixed", "deri"] = "need"
    scaling_base: Literal["study_area", "district", "england"] = "study_area"


class Triage(_Section):
    high_need_top_share: float = Field(0.30, gt=0, lt=1)
    unserved_top_share: float = Field(0.30, gt=0, lt=1)


class Uncertainty(_Section):
    draws: int = Field(1000, ge=100, le=100_000)
    seed: int = 20261201
    concentration: float = Field(40.0, gt=0)
    robust_probability: float = Field(0.8, gt=0.5, le=1)
    scaling_bases: tuple[Literal["study_area", "district", "england"], ...] = ("study_area", "district", "england")
    iuc_variants: tuple[str, ...] = ()  # empty: every variant in config/iuc_engagement.toml


class Hotspots(_Section):
    knn_k: int = Field(6, ge=1, le=50)
    permutations: int = Field(999, ge=99, le=99_999)
    seed: int = 20261201
    adjust: Literal["fdr", "none"] = "fdr"


class Sensitivity(_Section):
    top_n: int = Field(20, ge=1)
    weight_change: float = Field(0.20, gt=0, lt=1)


class GpReadiness(_Section):
    catchment_cap_m: float = Field(8000.0, gt=0)
    min_list_size: int = Field(1000, ge=0)
    weights: dict[str, float] = {
        "site_gigabit": 0.4,
        "catchment_superfast": 0.2,
        "catchment_gigabit": 0.2,
        "catchment_need": 0.2,
    }

    @field_validator("weights")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        parts = {"site_gigabit", "catchment_superfast", "catchment_gigabit", "catchment_need"}
        if set(value) != parts:
            raise ValueError(f"needs exactly the parts {', '.join(sorted(parts))}; got {', '.join(sorted(value))}")
        return _check_weights(value)


class Inclusion(_Section):
    top_need_deciles: int = Field(2, ge=1, le=10)


class FibreGaps(_Section):
    grid_m: int = Field(1000, gt=0)
    raster_m: int = Field(250, gt=0)
    lacking_below_pct: float = Field(100.0, gt=0, le=100)
    served_min_pct: float = Field(100.0, gt=0, le=100)

    @model_validator(mode="after")
    def _multiple(self):
        if self.grid_m % self.raster_m:
            raise ValueError(f"grid_m ({self.grid_m}) must be a multiple of raster_m ({self.raster_m})")
        return self


class ConnectivitySeries(_Section):
    reconciliation_warn_pp: float = Field(5.0, ge=0)  # gigabit-capable premises
    reconciliation_below_30_warn_pp: float = Field(1.0, ge=0)  # premises below 30 Mbit/s (a few per cent)


class Peers(_Section):
    """Which ONS definition of "similar places" each district is ranked among."""

    neighbours_release: str = Field("2026", pattern=r"^\d{4}$")
    neighbours_model: Literal["global", "economic", "demographic"] = "global"
    cluster_release: str = Field("2024", pattern=r"^\d{4}$")
    cluster_model: Literal[
        "global", "economic", "demographic", "health and well-being", "connectivity and sustainability"
    ] = "connectivity and sustainability"
    zone_code: str = Field("ZONE", min_length=1, max_length=12)
    pace_horizon_years: int = Field(10, ge=1, le=50)  # no date further off than this is extrapolated
    pace_level_pp_per_year: float = Field(0.2, ge=0, le=5)  # paces closer than this are "about the same pace"


class Access(_Section):
    """How far people are from a place that can help, and where new venues would reach most of them."""

    reach_km: float = Field(2.0, gt=0, le=50)  # straight line from where people live
    venue_search_km: float = Field(10.0, gt=0, le=100)  # venues kept around the study area
    existing_types: tuple[str, ...] = Field(("library",), min_length=1)
    candidate_types: tuple[str, ...] = Field(("gp_site",), min_length=1)
    siting_max_k: int = Field(10, ge=1, le=50)
    map_k: int = Field(3, ge=1, le=50)  # the solution drawn on the map

    @model_validator(mode="after")
    def _map_k(self):
        if self.map_k > self.siting_max_k:
            raise ValueError(f"map_k ({self.map_k}) must not exceed siting_max_k ({self.siting_max_k})")
        return self


class Outputs(_Section):
    """How many districts get outputs of their own (a briefing, a peer slide, a line on the trend charts).

    A run over many districts (all of England) still makes every table and map for all of them, but
    a briefing per district would be hundreds of PDFs nobody asked for: above ``max_districts`` only
    the area's own outputs are made, and those of the districts in ``districts_on_request``.
    """

    max_districts: int = Field(20, ge=1, le=400)
    districts_on_request: DistrictCodes = ()
    postcode_files_above: int = Field(100_000, ge=1)  # the index page's postcodes, one file per postcode area
    pack_max_rows: int = Field(50_000, ge=1, le=1_000_000)  # a longer table's sheet points to its CSV


class Validation(_Section):
    bootstrap: int = Field(1000, ge=100, le=100_000)
    seed: int = 20261201


class Run(_Section):
    """How a run uses the machine; no output depends on it (no step lists this section).

    ``worker_processes``: processes beside the run's own (two cores: 2) that draw files side by side and
    take the steps started early; 0 keeps everything in the run's own process. ``start_early``: steps marked
    early start as soon as their inputs are built, while the run goes on (pipeline.early): on the workers, or
    for a reader of one source (an ingest step), in one thread of the run's own process, within its DuckDB
    memory limit, so even with 0 workers.
    All of England is held to 4 GiB (the run and its workers together): two workers drawing its maps beside
    the run took it to 5.91 GiB, one worker to 4.31 GiB, the run alone to 4.13 GiB (3.96 GiB proportional),
    so ``config/england.toml`` sets 0 (docs/PERFORMANCE.md).
    """

    worker_processes: int = Field(2, ge=0, le=2)
    start_early: bool = True


def weight(value) -> float:
    """The one rule for a weight, in settings and weights files alike: a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"a weight must be a finite number >= 0, got {value!r}")
    return float(value)


def _check_weights(value: dict[str, float]) -> dict[str, float]:
    for key, w in value.items():
        try:
            weight(w)
        except ValueError as exc:
            raise ValueError(f"weight {key}: {exc}") from None
    if not sum(value.values()):
        raise ValueError("weights are all zero")
    return value


Weight = Annotated[float, BeforeValidator(weight)]


class WeightsFile(BaseModel):
    """A weights file (``config/weights/<kind>.toml``): ``[components]`` weights and, for each component,
    a table of its indicators' weights. Which indicators a kind may use is checked by its reader."""

    model_config = ConfigDict(extra="allow", frozen=True)
    components: dict[str, Weight] = Field(min_length=1)

    @model_validator(mode="after")
    def _tables(self):
        extra = self.model_extra or {}
        for component in self.components:
            inner = extra.get(component)
            if not isinstance(inner, dict) or not inner:
                raise ValueError(f"component {component!r} has no [{component}] table of indicator weights")
            for name, w in inner.items():
                try:
                    weight(w)
                except ValueError as exc:
                    raise ValueError(f"[{component}] {name}: {exc}") from None
            if not sum(inner.values()):
                raise ValueError(f"[{component}]: indicator weights are all zero")
        if not sum(self.components.values()):
            raise ValueError("[components]: weights are all zero")
        return self

    def indicators(self) -> dict[str, dict[str, float]]:
        return {c: {k: float(v) for k, v in (self.model_extra or {})[c].items()} for c in self.components}


def read_weights_file(path: Path) -> WeightsFile:
    """A weights file, checked; a problem is one line naming the file, table and key."""
    label = shown(path)
    raw = read_toml(path, missing=f"{label}: weights file not found")
    try:
        return WeightsFile(**raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first["loc"]]
        text = first["msg"].removeprefix("Value error, ")
        if first["type"] == "missing":
            text = "no [components] table"
        elif loc[:1] == ["components"] and len(loc) > 1:
            text = f"[components] {loc[1]}: {text}"
        raise SettingsError(f"{label} {text}" if text.startswith("[") else f"{label}: {text}") from None
    except TypeError as exc:
        raise SettingsError(f"{label}: {exc}") from None


class Settings(_Section):
    study_area: StudyArea
    geography: Geography = Geography()
    index: Index = Index()
    triage: Triage = Triage()
    uncertainty: Uncertainty = Uncertainty()
    hotspots: Hotspots = Hotspots()
    sensitivity: Sensitivity = Sensitivity()
    gp_readiness: GpReadiness = GpReadiness()
    inclusion: Inclusion = Inclusion()
    fibre_gaps: FibreGaps = FibreGaps()
    connectivity_series: ConnectivitySeries = ConnectivitySeries()
    peers: Peers = Peers()
    access: Access = Access()
    validation: Validation = Validation()
    outputs: Outputs = Outputs()
    run: Run = Run()
    config_path: Path = DEFAULT_CONFIG
    lad_codes_from: str = ""  # where the study area came from, for messages

    @property
    def lad_codes(self) -> tuple[str, ...]:
        return self.study_area.lad_codes

    @property
    def own_output_districts(self) -> tuple[str, ...]:
        """The districts that get outputs of their own: all of them up to ``outputs.max_districts``, else
        those named in ``outputs.districts_on_request`` (the area's own outputs are always made)."""
        if len(self.lad_codes) <= self.outputs.max_districts:
            return self.lad_codes
        return tuple(c for c in self.lad_codes if c in self.outputs.districts_on_request)

    @model_validator(mode="after")
    def _requested_in_study_area(self):
        outside = [c for c in self.outputs.districts_on_request if c not in self.study_area.lad_codes]
        if outside:
            raise ValueError(
                f"outputs.districts_on_request: {', '.join(outside)} not in study_area.lad_codes "
                "(outputs are made only for study districts)"
            )
        return self

    @property
    def config_dir(self) -> Path:
        return self.config_path.parent

    def weights_path(self, kind: str) -> Path:
        """One of need, supply_gap, mixed, deri."""
        return self.config_dir / "weights" / f"{kind}.toml"

    @property
    def engagement_path(self) -> Path:
        return self.config_dir / "iuc_engagement.toml"

    def fingerprint(self, *sections: str) -> str:
        """A short hash of the named sections (and the files they point to), for skip decisions."""
        values = {s: getattr(self, s).model_dump(mode="json") for s in sections}
        digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode())
        return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Environment:
    """Every ``DIZ_*`` environment variable the pipeline reads, read in this one place.

    ``DIZ_OUTPUT_ROOT`` (where data/ and maps/ are written), ``DIZ_SOURCE_MIRROR`` (a folder of source
    files), ``DIZ_CONFIG`` (another settings file), ``DIZ_LAD_CODES`` (other districts),
    ``DIZ_DUCKDB_MEMORY``, ``DIZ_DEPLOYMENT``, ``DIZ_EXECUTOR`` and ``DIZ_DEV_PORT`` (the Dagster layer).
    """

    output_root: Path
    source_mirror: Path | None
    config: Path | None
    lad_codes: tuple[str, ...] | None
    duckdb_memory: str
    deployment: str
    executor: str | None
    dev_port: str


def environment() -> Environment:
    env = os.environ
    mirror = env.get("DIZ_SOURCE_MIRROR", "").strip()
    lads = env.get("DIZ_LAD_CODES", "").strip()
    codes = tuple(c.strip() for c in lads.split(",") if c.strip()) if lads else None
    if lads and not codes:
        raise SettingsError(
            f"DIZ_LAD_CODES (environment variable): no district code in {lads[:40]!r}; give "
            "comma-separated codes such as DIZ_LAD_CODES=E07000073,E07000095"
        )
    return Environment(
        output_root=Path(env.get("DIZ_OUTPUT_ROOT") or PROJECT_ROOT).expanduser().resolve(),
        source_mirror=Path(mirror).expanduser().resolve() if mirror else None,
        config=Path(env["DIZ_CONFIG"]).expanduser().resolve() if env.get("DIZ_CONFIG") else None,
        lad_codes=codes,
        # DuckDB's share of a step's memory, whoever runs it (pipeline.runner.build_step): left to DuckDB's
        # own 80% of RAM, an England run's postcode lookup reached 4.5 GB of the 4 GiB the run is held to;
        # above the cap DuckDB spills to the temporary folder
        duckdb_memory=env.get("DIZ_DUCKDB_MEMORY", "1500MB"),
        deployment=env.get("DIZ_DEPLOYMENT", "local"),
        executor=env.get("DIZ_EXECUTOR") or None,
        dev_port=env.get("DIZ_DEV_PORT", "3000"),
    )


def _read_toml(config_path: Path, seen: tuple[Path, ...] = ()) -> dict:
    """The settings in ``config_path``; ``extends = "other.toml"`` starts from another file's
    settings and replaces them section by section (so a study-area file need not repeat the method)."""
    if config_path in seen:
        raise SettingsError(f"{shown(config_path)}: 'extends' loops back to itself")
    raw = read_toml(config_path, missing=f"settings file not found: {config_path}")
    base_name = raw.pop("extends", None)
    if base_name is None:
        return raw
    base = _read_toml((config_path.parent / base_name).resolve(), (*seen, config_path))
    for section, values in raw.items():
        base[section] = {**base.get(section, {}), **values} if isinstance(values, dict) else values
    return base


def read_toml(path: Path, *, missing: str) -> dict:
    """A TOML file of ours (settings, weights); a missing or malformed one is one line naming it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError(missing) from exc
    except IsADirectoryError as exc:
        raise SettingsError(f"{shown(path)} is a folder: name the .toml file in it") from exc
    except (PermissionError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{shown(path)}: cannot be read as a text file ({type(exc).__name__})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{shown(path)}: not valid TOML: {exc}") from exc


def shown(path: Path) -> str:
    """A path as a person would type it: relative to the project when inside it."""
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _message(error: dict, config_path: Path, env_lads: bool) -> str:
    location = [str(p) for p in error["loc"]]
    if location[:2] == ["study_area", "lad_codes"] and env_lads:
        where = "DIZ_LAD_CODES (environment variable)"
    elif len(location) >= 2:
        where = f"{shown(config_path)} [{location[0]}] {'.'.join(location[1:])}"
    else:
        where = f"{shown(config_path)} [{'.'.join(location)}]"
    text = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        text = "is not a setting here (check the spelling)"
    elif error["type"] == "literal_error":
        text = f"{text}; got {error.get('input')!r}"
    elif "input" in error and error["type"] not in ("value_error", "missing"):
        text = f"{text}; got {error['input']!r}"
    return f"{where}: {text}"


def load_settings(path: Path | str | None = None, *, lad_codes: list[str] | None = None) -> Settings:
    """Read and check the TOML settings; ``DIZ_LAD_CODES`` (or ``lad_codes``) replaces the study area."""
    env = environment()
    config_path = Path(path).resolve() if path else env.config or DEFAULT_CONFIG.resolve()
    raw = _read_toml(config_path)
    origin = f"{shown(config_path)} [study_area] lad_codes"
    from_env = lad_codes is None and env.lad_codes is not None
    if from_env:
        lad_codes = list(env.lad_codes)
        origin = "DIZ_LAD_CODES (environment variable)"
    if lad_codes is not None:
        raw.setdefault("study_area", {})["lad_codes"] = list(lad_codes)
    try:
        return Settings(**raw, config_path=config_path, lad_codes_from=origin)
    except ValidationError as exc:
        lines = [_message(e, config_path, from_env) for e in exc.errors()]
        raise SettingsError("; ".join(lines)) from None
    except TypeError as exc:  # a section given as a value, e.g. index = 3
        raise SettingsError(f"{shown(config_path)}: {exc}") from None
