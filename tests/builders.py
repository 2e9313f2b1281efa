"""Build small source files in the publishers' formats, for edge-case tests.

Everything here is synthetic test input, made by the tests that use it; none of it is
ever written as a pipeline output.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from pipeline.readers.ofcom_columns import RELEASE_HEADERS

CODEPOINT_HEADERS = "PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\n"


def codelist_xlsx(districts: dict[str, str]) -> bytes:
    """Code-Point's Doc/Codelist.xlsx: a DIS sheet of (name, code) rows."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "DIS"
    for code, name in districts.items():
        sheet.append([f"{name} District", code])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def codepoint_zip(path: Path, areas: dict[str, list[str]], districts: dict[str, str] | None = None) -> Path:
    """A Code-Point Open zip: ``areas`` maps an area file name (``cm``) to raw CSV lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Doc/Codelist.xlsx", codelist_xlsx(districts or {"E07000073": "Harlow", "E07000095": "Broxbourne"}))
        zf.writestr(
            "Doc/Code-Point_Open_Column_Headers.csv",
            CODEPOINT_HEADERS
            + "Postcode,Positional_quality_indicator,Eastings,Northings,Country_code,NHS_regional_HA_code,"
            "NHS_HA_code,Admin_county_code,Admin_district_code,Admin_ward_code\n",
        )
        for area, lines in areas.items():
            zf.writestr(f"Data/CSV/{area}.csv", "".join(line + "\r\n" for line in lines))
    return path


def codepoint_line(postcode: str, easting: int, northing: int, lad: str = "E07000073", pq: int = 10) -> str:
    return f'"{postcode}",{pq},{easting},{northing},"E92000001","E19000001","E18000006","E10000012","{lad}","E05015688"'


LOOKUP_HEADER = "pcd7,pcd8,pcds,dointr,doterm,usertype,oa11cd,lsoa11cd,msoa11cd,ladcd,lsoa11nm,msoa11nm,ladnm,ladnmw"


def lookup_zip(path: Path, rows: list[dict], header: str = LOOKUP_HEADER) -> Path:
    """The ONS postcode lookup zip (one CRLF CSV); rows give pcds, doterm, lsoa11cd, ladcd, usertype."""
    out = io.StringIO()
    out.write(header + "\r\n")
    for r in rows:
        pc = r["pcds"]
        values = {
            "pcd7": pc.replace(" ", ""),
            "pcd8": pc,
            "pcds": pc,
            "dointr": "199001",
            "doterm": r.get("doterm", ""),
            "usertype": r.get("usertype", "0"),
            "oa11cd": "E00000001",
            "lsoa11cd": r.get("lsoa11cd", "E01021819"),
            "msoa11cd": "E02000001",
            "ladcd": r.get("ladcd", "E07000073"),
            "lsoa11nm": "Harlow 006A",
            "msoa11nm": "Harlow 006",
            "ladnm": "Harlow",
            "ladnmw": "",
        }
        out.write(",".join(f'"{values[c]}"' for c in header.split(",")) + "\r\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(path.stem + ".csv", out.getvalue())
    return path


def csv_text(header: list[str], rows: list[list], *, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def ofcom_row(header: list[str], key: str, values: dict[str, object]) -> list:
    """A row for an Ofcom header: ``values`` keys are our canonical fields or column names."""
    from pipeline.readers.ofcom_columns import METRICS, normalise_header

    spelled = {normalise_header(s): field for field, spellings in METRICS.items() for s in spellings}
    row = []
    for column in header:
        norm = normalise_header(column)
        if norm in ("postcode", "pcds", "postcode_space", "postcode space", "laua", "lad"):
            row.append(key.replace(" ", "") if norm == "postcode" else key)
        elif norm in ("postcode area", "pca"):
            row.append("".join(ch for ch in key.split(" ")[0] if ch.isalpha()))
        elif norm in ("laua_name", "laua name", "lad_name"):
            row.append("Harlow")
        elif column in values:
            row.append(values[column])
        elif norm in spelled and spelled[norm] in values:
            row.append(values[spelled[norm]])
        else:
            row.append("")
    return row


def ofcom_postcode_zip(path: Path, release_year: str, rows: dict[str, dict], *, encoding: str = "utf-8") -> Path:
    """An Ofcom postcode-level coverage zip with that year's published header.

    The 2019/2020/2022/2024/2026 headers have a ``postcode`` column without the space and
    ``postcode_space`` with it; 2023 has only ``pcds`` (with the space).
    """
    header = RELEASE_HEADERS[release_year]["postcode"]
    body = [ofcom_row(header, postcode, values) for postcode, values in rows.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{path.stem}_cm.csv", csv_text(header, body).encode(encoding))
    return path


def ofcom_la_csv(path: Path, release_year: str, rows: dict[str, dict]) -> Path:
    header = RELEASE_HEADERS[release_year]["local_authority"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(csv_text(header, [ofcom_row(header, code, values) for code, values in rows.items()]))
    return path


def square(x: float, y: float, size: float) -> list:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def geojson(path: Path, features: list[tuple[dict, dict | None]], crs: str | None = None) -> Path:
    """A FeatureCollection; ``features`` are (properties, geometry); ``crs`` adds a legacy crs member."""
    collection: dict = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features],
    }
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(collection))
    return path


def ods_row(
    code: str,
    name: str,
    postcode: str,
    *,
    status: str = "A",
    setting: str = "4",
    parent: str = "",
    close: str = "",
    left: str = "",
) -> str:
    """One epraccur/ebranchs line in the ODS 27-column layout."""
    values = [""] * 27
    values[0], values[1], values[4], values[9], values[10] = code, name, "1 HIGH STREET", postcode, "20040401"
    values[11], values[12], values[14], values[16], values[25] = close, status, parent, left, setting
    return ",".join(f'"{v}"' for v in values)


def parquet_table(con, paths, name: str, query: str) -> None:
    """Write a small input table for an analysis step, as the ingest would (synthetic test input)."""
    dest = paths.table_path(name)
    dest.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"COPY ({query}) TO '{dest}' (FORMAT parquet)")


def bng_point(x: float, y: float) -> str:
    return f"ST_SetCRS(ST_Point({x}, {y}), 'EPSG:27700')"


def bng_square(x: float, y: float, size: float) -> str:
    return f"ST_SetCRS(ST_MakeEnvelope({x}, {y}, {x + size}, {y + size}), 'EPSG:27700')"
