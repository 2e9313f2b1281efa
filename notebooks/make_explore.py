"""Write explore.ipynb (run once after editing; the notebook is committed without outputs)."""

from pathlib import Path

import nbformat as nbf

cells = [
    nbf.v4.new_markdown_cell(
        "# Exploring the DIZ outputs\n\n"
        "Reads the pipeline's outputs through the DuckDB catalog (`data/processed/diz.duckdb`), reproduces the "
        "headline figures from the underlying tables, and maps need for inclusion support beside the connectivity "
        "gap.\n\n"
        "Run `make run` first. `DIZ_OUTPUT_ROOT` points at another output folder if needed."),
    nbf.v4.new_code_cell(
        "import os\nfrom pathlib import Path\n\nfrom pipeline import duck\n\n"
        "root = Path(os.environ.get('DIZ_OUTPUT_ROOT', Path.cwd().parent))\n"
        "catalog = root / 'data' / 'processed' / 'diz.duckdb'\n"
        "con = duck.connect(catalog, read_only=True)\n"
        "con.sql('SELECT name, sources FROM _catalog ORDER BY name').df()"),
    nbf.v4.new_markdown_cell("## Headline figures, recomputed from the tables\n\n"
                             "Residents, LSOAs in the highest-need tenth and triage residents per district, from "
                             "`lsoa_triage`; compared with `district_summary`."),
    nbf.v4.new_code_cell(
        "recomputed = con.sql(\'\'\'\n"
        "    SELECT lad_code, sum(residents_2021) AS residents_2021, count(*) AS lsoas,\n"
        "           count(*) FILTER (need_decile = 1) AS lsoas_in_top_need_decile,\n"
        "           sum(residents_2021) FILTER (triage_class = 'adoption gap') AS residents_adoption_gap\n"
        "    FROM lsoa_triage GROUP BY 1 ORDER BY 1\'\'\').df()\n"
        "published = con.sql(\'\'\'SELECT lad_code, residents_2021, lsoas, lsoas_in_top_need_decile, residents_adoption_gap\n"
        "                         FROM district_summary WHERE lad_code <> 'ALL' ORDER BY lad_code\'\'\').df()\n"
        "assert (recomputed.fillna(0).values == published.fillna(0).values).all(), (recomputed, published)\n"
        "recomputed"),
    nbf.v4.new_code_cell(
        "change = con.sql('''SELECT area_name, first_release_name, first_value, latest_release_name, latest_value, change_pp,\n"
        "                           improvement_rank\n"
        "                    FROM connectivity_change\n"
        "                    WHERE indicator = 'gigabit_capable_pct' AND area_type = 'study district'\n"
        "                    ORDER BY improvement_rank''').df()\n"
        "change"),
    nbf.v4.new_markdown_cell("## Need and the connectivity gap are different places\n\n"
                             "Left: inclusion need (people only), Gi* hot spots outlined. Right: the connectivity "
                             "gap, whose values here are postcode-district averages (METHOD.md section 2)."),
    nbf.v4.new_code_cell(
        "import geopandas as gpd\nimport matplotlib.pyplot as plt\nfrom shapely import from_wkb\n\n"
        "con.execute('LOAD spatial')\n"
        "rows = con.sql(\'\'\'SELECT a.lsoa21cd, n.need_score, g.supply_gap_score, h.hotspot_class,\n"
        "                       ST_AsWKB(a.geom) AS wkb\n"
        "                FROM lsoa_areas a JOIN lsoa_need n USING (lsoa21cd) JOIN lsoa_supply_gap g USING (lsoa21cd)\n"
        "                JOIN hotspots h USING (lsoa21cd)\'\'\').df()\n"
        "frame = gpd.GeoDataFrame(rows.drop(columns='wkb'), geometry=[from_wkb(bytes(w)) for w in rows.wkb], crs=27700)\n"
        "fig, (left, right) = plt.subplots(1, 2, figsize=(14, 7))\n"
        "frame.plot(column='need_score', cmap='YlOrRd', legend=True, ax=left)\n"
        "frame[frame.hotspot_class.str.startswith('hot')].boundary.plot(ax=left, color='#49006a', linewidth=1.2)\n"
        "frame.plot(column='supply_gap_score', cmap='Blues', legend=True, ax=right)\n"
        "for ax, title in ((left, 'Inclusion need (0-10)'), (right, 'Connectivity gap (0-10)')):\n"
        "    ax.set_axis_off(); ax.set_title(title)\n"
        "print(f'{len(frame)} LSOAs; correlation {frame.need_score.corr(frame.supply_gap_score):.2f}')"),
]
nb = nbf.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                "language": "python"}})
nbf.write(nb, Path(__file__).with_name("explore.ipynb"))
