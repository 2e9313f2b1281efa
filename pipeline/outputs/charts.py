"""Connectivity over time, as slide-sized charts (PNG and SVG) with source and licence on each.

Written without timestamps (SVG ``Date`` empty, fixed hash salt), so a re-run writes the same files.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import duckdb
import matplotlib
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from pipeline.outputs.peer_text import zone_estimate
from pipeline.registry import ONS_LOCAL_INDICATORS, ONS_SIMILAR_AREAS, licence_lines
from pipeline.store import replace_atomically, temp_path
from pipeline.wording import month_name, percent

matplotlib.use("Agg")  # files only, never a window: pyplot chooses its backend at the first figure, so this holds

SLIDE = (13.33, 7.5)  # inches: a 16:9 slide
DPI = 150
DISTRICT_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]
ENGLAND = "E92000001"
STYLE = {
    "font.size": 14,
    "axes.titlesize": 20,
    "axes.labelsize": 15,
    "legend.fontsize": 13,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "svg.hashsalt": "diz",
    "svg.fonttype": "none",
}


def _series(
    con: duckdb.DuckDBPyConnection, indicator: str, districts: tuple[str, ...]
) -> dict[tuple[str, str, str], list[tuple]]:
    """Points of the given study districts and England at every release dated by month (a year-only
    release has no month to plot and is not a baseline)."""
    rows = con.execute(
        f"""SELECT area_code, area_name, area_type,
                                 make_date(left(release, 4)::INT, right(release, 2)::INT, 1), value, release,
                                 {AGGREGATED}
                          FROM district_connectivity_series
                          WHERE indicator = $i AND dated_by <> 'year only'
                            AND ((area_type = 'study district' AND list_contains($lads, area_code))
                                 OR area_code = $england)
                          ORDER BY area_type DESC, area_name, release""",
        {"i": indicator, "england": ENGLAND, "lads": list(districts)},
    ).fetchall()
    out: dict[tuple[str, str, str], list[tuple]] = {}
    for code, name, kind, date, value, release, aggregated in rows:
        out.setdefault((code, drawn_name(name, kind, aggregated), kind), []).append((date, value, release))
    return out


# Whether ONS marks any of an area's rows in district_connectivity_series as its own aggregate (England).
AGGREGATED = "bool_or(ons_note IS NOT NULL) OVER (PARTITION BY area_code)"


def drawn_name(name: str, kind: str, aggregated: bool) -> str:
    """A line's name on a chart: ONS's own sums (England) named as such where they are drawn."""
    return f"{name}, ONS aggregate" if aggregated and kind == "comparator" else name


def latest_title(series: dict) -> str:
    """'Latest value (January 2026)': the legend's values are each line's last point, named by release where every
    line ends at the same one."""
    last = {points[-1][2] for points in series.values() if points}
    return f"Latest value ({month_name(last.pop())})" if len(last) == 1 else "Latest value (each line's last point)"


def _plot(ax, series: dict, unit: str, indicator: str) -> None:
    for i, ((_code, name, kind), points) in enumerate(series.items()):
        dates, values = [p[0] for p in points], [p[1] for p in points]
        latest = percent(values[-1], indicator)
        if kind == "comparator":
            ax.plot(
                dates,
                values,
                color="black",
                linestyle="--",
                linewidth=2.5,
                marker="s",
                markersize=5,
                label=f"{name} ({latest})",
                zorder=3,
            )
        else:
            ax.plot(
                dates,
                values,
                color=DISTRICT_COLOURS[i % len(DISTRICT_COLOURS)],
                linewidth=2.5,
                marker="o",
                markersize=6,
                label=f"{name} ({latest})",
            )
    ax.set_ylabel(unit)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(True, alpha=0.3)


def _footer(fig, notes: list[str]) -> None:
    text = (
        "Source: Ofcom Connected Nations, as republished by ONS (Explore Local Statistics). Releases are dated "
        "by ONS's metadata where it states a month, else by ONS's period label alone (see method.html beside "
        "the maps, and the dated_by column). "
        + " ".join(notes)
        + " "
        + " ".join(licence_lines([ONS_LOCAL_INDICATORS.key]))
    )
    fig.text(0.01, 0.01, "\n".join(textwrap.wrap(text, 165)), fontsize=10, color="#444", va="bottom")


def _save(fig, folder: Path, name: str) -> list[Path]:
    written = []
    for ext, extra in (("png", {"dpi": DPI, "metadata": {"Software": None}}), ("svg", {"metadata": {"Date": None}})):
        dest = folder / f"{name}.{ext}"
        tmp = temp_path(dest)
        fig.savefig(tmp, format=ext, **extra)
        replace_atomically(tmp, dest)
        written.append(dest)
    plt.close(fig)
    return written


def shown_note(shown: int, of: int) -> list[str]:
    """The footer's word on districts left off (settings: outputs), when any are."""
    if shown == of:
        return []
    return [f"{shown} of the {of} study districts are drawn (those with outputs of their own: settings [outputs])."]


def build_charts(
    con: duckdb.DuckDBPyConnection, folder: Path, districts: tuple[str, ...], of: int
) -> dict[str, list[str]]:
    """Ofcom's figures over time for ``districts`` (those with outputs of their own) and England."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[str]] = {}
    year_only = "Releases ONS dates only by a year are not plotted."
    shown = shown_note(len(districts), of)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=SLIDE)
        series = _series(con, "gigabit_capable_pct", districts)
        _plot(ax, series, "% of premises", "gigabit_capable_pct")
        ax.set_ylim(0, 100)
        ax.set_title("Gigabit-capable broadband by district, with England")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), title=latest_title(series))
        fig.subplots_adjust(bottom=0.17, top=0.92, left=0.07, right=0.68)
        _footer(fig, [year_only, *shown])
        out["gigabit_over_time"] = [str(p) for p in _save(fig, folder, "gigabit_over_time")]

        fig, ax = plt.subplots(figsize=SLIDE)
        series = _series(con, "premises_below_30_pct", districts)
        _plot(ax, series, "% of premises", "premises_below_30_pct")
        ax.set_ylim(bottom=0)
        ax.set_title("Premises without a service above 30 Mbit/s, by district, with England")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), title=latest_title(series))
        fig.subplots_adjust(bottom=0.17, top=0.92, left=0.07, right=0.68)
        _footer(fig, shown)
        out["premises_below_30_over_time"] = [str(p) for p in _save(fig, folder, "premises_below_30_over_time")]

        fig, axes = plt.subplots(1, 2, figsize=SLIDE, sharey=True)
        for ax, indicator, title in ((axes[0], "coverage_4g_area_pct", "4G"), (axes[1], "coverage_5g_area_pct", "5G")):
            series = _series(con, indicator, districts)
            _plot(ax, series, "% of land area (outdoor, at least one operator)", indicator)
            ax.set_title(f"{title} coverage")
            ax.legend(loc="lower left", fontsize=11, title=latest_title(series), title_fontsize=11)
        axes[1].set_ylabel("")
        axes[0].set_ylim(0, 101)
        fig.suptitle("Mobile coverage by district, with England", fontsize=20)
        fig.subplots_adjust(bottom=0.17, top=0.86, left=0.07, right=0.98, wspace=0.08)
        _footer(
            fig, [year_only, "Lines at or near 100% lie on top of one another: the legend gives each value.", *shown]
        )
        out["mobile_coverage_over_time"] = [str(p) for p in _save(fig, folder, "mobile_coverage_over_time")]
    return out


SCORE_LABELS = {
    "need_score": "Inclusion need",
    "supply_gap_score": "Connectivity gap",
    "mixed_score": "Mixed index",
    "deri_score": "DERI-compatible",
}


def build_validation_charts(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, list[str]]:
    """One slide per outcome: the outcome against each score, with Spearman's rho (registered
    ``validation_points`` and ``index_validation``). Nothing when no outcome was given."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[str]] = {}
    outcomes = con.execute("SELECT DISTINCT outcome_file, outcome FROM index_validation ORDER BY 1, 2").fetchall()
    with plt.rc_context(STYLE):
        for i, (file, outcome) in enumerate(outcomes, start=1):
            fig, axes = plt.subplots(1, 4, figsize=SLIDE, sharey=True)
            points = con.execute(
                "SELECT * FROM validation_points WHERE outcome_file = $f AND outcome = $o", {"f": file, "o": outcome}
            ).fetchall()
            names = [d[0] for d in con.description]
            stats = dict(
                ((r[0], (r[1], r[2], r[3])))
                for r in con.execute(
                    "SELECT score, spearman_rho, rho_ci_low, rho_ci_high FROM index_validation WHERE outcome_file = $f "
                    "AND outcome = $o",
                    {"f": file, "o": outcome},
                ).fetchall()
            )
            y = [p[names.index("outcome_value")] for p in points]
            for ax, score in zip(axes, SCORE_LABELS, strict=False):
                x = [p[names.index(score)] for p in points]
                ax.scatter(x, y, s=12, alpha=0.6, color="#2b6cb0")
                rho = stats.get(score)
                subtitle = f"rho {rho[0]:.2f} ({rho[1]:.2f} to {rho[2]:.2f})" if rho else "too few LSOAs"
                ax.set_title(f"{SCORE_LABELS[score]}\n{subtitle}", fontsize=14)
                ax.set_xlabel("score (0-10)")
                ax.grid(True, alpha=0.3)
            axes[0].set_ylabel(outcome)
            fig.suptitle(f"{outcome} against each score ({Path(file).name})", fontsize=18)
            fig.subplots_adjust(bottom=0.2, top=0.8, left=0.07, right=0.98, wspace=0.08)
            _footer_text(
                fig,
                "Spearman's rho with a bootstrap 95% interval; each point is an LSOA. Outcome as supplied "
                "by the user (see index_validation for its stated source and licence).",
            )
            out[f"validation_{i}"] = [str(p) for p in _save(fig, folder, f"validation_{i}")]
    return out


def _footer_text(fig, text: str) -> None:
    fig.text(0.01, 0.01, "\n".join(textwrap.wrap(text, 165)), fontsize=10, color="#444", va="bottom")


PEER_INDICATOR = "gigabit_capable_pct"


def _peer_subjects(con: duckdb.DuckDBPyConnection, districts: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """The zone and the given districts, each once."""
    return con.execute(
        """SELECT DISTINCT area_code, area_name, area_type FROM peer_benchmark
                          WHERE group_kind = 'neighbours' AND indicator = $i
                            AND (area_type = 'zone' OR list_contains($lads, area_code))
                          ORDER BY area_type = 'zone', area_name""",
        {"i": PEER_INDICATOR, "lads": list(districts)},
    ).fetchall()


def _peer_members(ax, con: duckdb.DuckDBPyConnection, code: str, release: str, name: str) -> None:
    """The group's values at the latest release, sorted, the subject in colour and the median drawn;
    a group too large to name every member (the zone's) names only the subject and the best."""
    members = con.execute(
        """SELECT CASE WHEN is_subject THEN $label ELSE member_name END, value, is_subject
                             FROM peer_league
                             WHERE area_code = $c AND group_kind = 'neighbours' AND indicator = $i
                               AND release = $r AND value IS NOT NULL
                             ORDER BY value, member_name DESC""",
        {"c": code, "i": PEER_INDICATOR, "r": release, "label": name},
    ).fetchall()
    median = con.execute(
        """SELECT group_median FROM peer_benchmark WHERE area_code = $c
                            AND group_kind = 'neighbours' AND indicator = $i AND release = $r""",
        {"c": code, "i": PEER_INDICATOR, "r": release},
    ).fetchone()[0]
    y = range(len(members))
    colours = ["#d95f02" if m[2] else "#9fb6cd" for m in members]
    ax.barh(list(y), [m[1] for m in members], color=colours, height=0.8)
    for i, m in enumerate(members):
        if m[2]:
            ax.annotate(
                percent(m[1], PEER_INDICATOR),
                (m[1], i),
                textcoords="offset points",
                xytext=(4, 0),
                va="center",
                fontsize=11,
                color="#d95f02",
                fontweight="bold",
            )
    ax.axvline(
        median,
        color="black",
        linestyle="--",
        linewidth=1.5,
        label=f"median of the group {percent(median, PEER_INDICATOR)}",
    )
    named = len(members) <= 25
    if named:
        ax.set_yticks(list(y), [m[0] for m in members], fontsize=11)
    else:
        ax.set_yticks(
            [i for i, m in enumerate(members) if m[2] or i == len(members) - 1],
            [m[0] for i, m in enumerate(members) if m[2] or i == len(members) - 1],
            fontsize=11,
        )
    for tick, m in zip(
        ax.get_yticklabels(), [m for i, m in enumerate(members) if named or m[2] or i == len(members) - 1], strict=False
    ):
        if m[2]:
            tick.set_fontweight("bold")
            tick.set_color("#d95f02")
    ax.set_xlim(0, 100)  # bars start at zero: a cut axis would make small gaps look large
    zone = con.execute(
        "SELECT bool_or(area_type = 'zone') FROM peer_benchmark WHERE area_code = $c", {"c": code}
    ).fetchone()[0]
    ax.set_xlabel(
        "gigabit-capable, % of premises (Ofcom's own; the zone's bar: an estimate from its districts')"
        if zone
        else "gigabit-capable, % of premises (Ofcom)"
    )
    # an empty band below the lowest bar holds the legend, so it never covers a member's bar
    ax.set_ylim(-0.6 - max(1.5, 0.1 * len(members) / 0.9), len(members) - 0.4)
    ax.legend(loc="lower right", fontsize=11)
    ax.grid(True, axis="x", alpha=0.3)


def _peer_ranks(ax, con: duckdb.DuckDBPyConnection, code: str) -> int:
    rows = con.execute(
        """SELECT make_date(left(release, 4)::INT, right(release, 2)::INT, 1), rank, n_compared,
                                 dated_by = 'ONS metadata'
                          FROM peer_benchmark WHERE area_code = $c AND group_kind = 'neighbours'
                            AND indicator = $i AND dated_by <> 'year only' ORDER BY release""",
        {"c": code, "i": PEER_INDICATOR},
    ).fetchall()
    n = max(r[2] for r in rows)
    ax.plot([r[0] for r in rows], [r[1] for r in rows], color="#d95f02", linewidth=2.5)
    # a release dated only by ONS's period label is drawn hollow: its month rests on a label, not ONS's metadata
    for dated, style in ((True, {"markerfacecolor": "#d95f02"}), (False, {"markerfacecolor": "white"})):
        points = [r for r in rows if r[3] == dated]
        if points:
            ax.plot(
                [r[0] for r in points],
                [r[1] for r in points],
                linestyle="none",
                marker="o",
                markersize=7,
                markeredgecolor="#d95f02",
                markeredgewidth=2,
                label=None if dated else "hollow: month by ONS's period label only",
                **style,
            )
    if any(not r[3] for r in rows):
        ax.legend(loc="best", fontsize=10, frameon=False)
    for date, rank, _, _ in rows:
        below = rank <= max(1, n // 20)  # a label above the top rank would run into the panel's title
        ax.annotate(
            str(rank),
            (date, rank),
            textcoords="offset points",
            xytext=(0, -18 if below else 8),
            ha="center",
            fontsize=11,
        )
    ax.set_ylim(n + 0.5, 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(f"rank among {n} (1 = highest coverage)")
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(True, alpha=0.3)
    return n


def build_peer_charts(
    con: duckdb.DuckDBPyConnection, folder: Path, similar: str, districts: tuple[str, ...]
) -> dict[str, list[str]]:
    """One slide for the zone and one per district with outputs of its own (``districts``): its ONS
    nearest neighbours' gigabit coverage at the latest release with the subject marked, and its rank
    among them at every release dated by month."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[str]] = {}
    with plt.rc_context(STYLE):
        for code, name, kind in _peer_subjects(con, districts):
            release, release_name, weighted_by = con.execute(
                """SELECT release, release_name, weighted_by FROM peer_benchmark
                   WHERE area_code = $c AND group_kind = 'neighbours' AND indicator = $i
                   ORDER BY release DESC LIMIT 1""",
                {"c": code, "i": PEER_INDICATOR},
            ).fetchone()
            fig, (left, right) = plt.subplots(1, 2, figsize=SLIDE, gridspec_kw={"width_ratios": [1.25, 1]})
            short = "The zone (estimate)" if kind == "zone" else name
            _peer_members(left, con, code, release, short)
            left.set_title(f"Similar places, {release_name}", fontsize=15)
            n = _peer_ranks(right, con, code)
            right.set_title("Its rank in the same group, each release", fontsize=15)
            estimate = (
                f" The zone's value is {zone_estimate(weighted_by)}, not a share of premises counted by Ofcom."
                if kind == "zone"
                else ""
            )
            among = (
                f"the zone (an estimate) among its districts' {n - 1} ONS nearest neighbours"
                if kind == "zone"
                else f"{name} among its {n - 1} ONS nearest neighbours"
            )
            fig.suptitle(f"Gigabit-capable broadband: {among}", fontsize=18)
            fig.subplots_adjust(bottom=0.29, top=0.87, left=0.16, right=0.98, wspace=0.25)
            _footer_text(
                fig,
                "Source: Ofcom Connected Nations, as republished by ONS (Explore Local Statistics); "
                "groups: ONS similar local authorities. Releases ONS dates only by a year are not plotted. "
                + similar
                + estimate
                + " "
                + " ".join(licence_lines([ONS_LOCAL_INDICATORS.key, ONS_SIMILAR_AREAS.key])),
            )
            stem = f"peers_{code.lower()}"
            out[stem] = [str(p) for p in _save(fig, folder, stem)]
    return out
