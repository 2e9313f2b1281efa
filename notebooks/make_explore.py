"""Write explore.ipynb (run once after editing; the notebook is committed without outputs)."""

from pathlib import Path

import nbformat as nbf

cells = [
    nbf.v4.new_markdown_cell(
        "# Exploring the DIZ outputs\n\n"
        "Reads the pipeline's outputs through the DuckDB catalog (`data/processed/diz.duckdb`), reproduces the "
        "headline figures from the underlying tables, and draws a static map of the exclusion index.\n\n"
        "Run `make run` first. `DIZ_OUTPUT_ROOT` points at another output folder if needed."),
    nbf.v4.new_code_cell(
        "import os\nfrom pathlib import Path\n\nfrom pipeline import duck\n\n"
        "root = Path(os.environ.get('DIZ_OUTPUT_ROOT', Path.cwd().parent))\n"
        "catalog = root / 'data' / 'processed' / 'diz.duckdb'\n"
        "con = duck.connect(catalog, read_only=True)\n"
        "con.sql('SELECT name, sources FROM _catalog ORDER BY name').df()"),
    nbf.v4.new_markdown_cell("## Headline figures, recomputed from the tables\n\n"
                             "Residents, postcodes and broadband gaps per district, from `lsoa_index`, `postcodes` "
                             "and `broadband_coverage`; compared with `district_summary`."),
    nbf.v4.new_code_cell(
        "recomputed = con.sql('''\n"
        "    WITH residents AS (SELECT lad_code, sum(residents_2021) AS residents_2021 FROM lsoa_index GROUP BY 1),\n"
        "         bb AS (SELECT lad_code, count(*) AS postcodes,\n"
        "                       round(avg(100 - gigabit_pct), 1) AS pct_no_gigabit,\n"
        "                       round(avg(100 - sfbb_pct), 1) AS pct_no_superfast\n"
        "                FROM broadband_coverage GROUP BY 1)\n"
        "    SELECT * FROM residents JOIN bb USING (lad_code) ORDER BY lad_code''').df()\n"
        "published = con.sql('''SELECT lad_code, residents_2021, postcodes, pct_no_gigabit, pct_no_superfast\n"
        "                         FROM district_summary WHERE lad_code <> 'ALL' ORDER BY lad_code''').df()\n"
        "assert (recomputed.values == published.values).all(), (recomputed, published)\n"
        "recomputed"),
    nbf.v4.new_code_cell(
        "change = con.sql('''SELECT area_name, first_snapshot, first_value, latest_snapshot, latest_value, change_pp,\n"
        "                           improvement_rank\n"
        "                    FROM connectivity_change\n"
        "                    WHERE indicator = 'gigabit_capable_pct' AND area_type = 'study district'\n"
        "                    ORDER BY improvement_rank''').df()\n"
        "change"),
    nbf.v4.new_markdown_cell("## Static map: exclusion index and Gi* hot spots"),
    nbf.v4.new_code_cell(
        "import geopandas as gpd\nimport matplotlib.pyplot as plt\n\n"
        "processed = root / 'data' / 'processed'\n"
        "lsoas = gpd.read_parquet(processed / 'lsoa_boundaries.parquet')\n"
        "index = con.sql('SELECT i.lsoa11cd, i.index_score, h.hotspot_class FROM lsoa_index i JOIN hotspots h USING (lsoa11cd)').df()\n"
        "frame = lsoas.merge(index, on='lsoa11cd')\n"
        "ax = frame.plot(column='index_score', cmap='YlOrRd', legend=True, figsize=(9, 9),\n"
        "                legend_kwds={'label': 'Digital exclusion index (0-10)'})\n"
        "frame[frame.hotspot_class.str.startswith('hot')].boundary.plot(ax=ax, color='#49006a', linewidth=1.2)\n"
        "gpd.read_parquet(processed / 'lad_boundaries.parquet').boundary.plot(ax=ax, color='black', linewidth=1.5)\n"
        "ax.set_axis_off()\nax.set_title('Exclusion index by LSOA; purple outlines: Gi* hot spots')\n"
        "print(f'{len(frame)} LSOAs, CRS {frame.crs.to_epsg()}')"),
]
nb = nbf.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                "language": "python"}})
nbf.write(nb, Path(__file__).with_name("explore.ipynb"))
