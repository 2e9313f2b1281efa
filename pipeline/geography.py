"""Small-area vintages: LSOA 2021 (default) and LSOA 2011, one code path for both.

The method's SQL speaks of ``lsoa_code`` and ``lsoa_name``. Tables at rest carry the vintage's
own names (``lsoa21cd``/``lsoa21nm`` or ``lsoa11cd``/``lsoa11nm``), as people expect. The
renaming happens in exactly two places: when a step writes a table (``write_columns``) and when
it reads one back (``read_columns``), so no SQL file exists in two copies.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Vintage:
    key: str  # the setting: "lsoa2021" or "lsoa2011"
    year: int
    code: str  # column name at rest
    name: str
    label: str  # for people: "LSOA (2021)"

    def read_columns(self, columns: list[str]) -> str:
        """A SELECT list turning this vintage's columns into the neutral names."""
        parts = []
        for column in columns:
            if column == self.code:
                parts.append(f'"{column}" AS lsoa_code')
            elif column == self.name:
                parts.append(f'"{column}" AS lsoa_name')
            else:
                parts.append(f'"{column}"')
        return ", ".join(parts)

    def stored(self, column: str) -> str:
        """A neutral column name (``lsoa_code``, ``lsoa_name``) as this vintage stores it."""
        return {"lsoa_code": self.code, "lsoa_name": self.name}.get(column, column)

    def write_columns(self, columns: list[str]) -> str:
        """A SELECT list turning the neutral names into this vintage's columns."""
        return ", ".join(f'"{c}" AS "{self.stored(c)}"' if self.stored(c) != c else f'"{c}"' for c in columns)


LSOA2021 = Vintage("lsoa2021", 2021, "lsoa21cd", "lsoa21nm", "LSOA (2021)")
LSOA2011 = Vintage("lsoa2011", 2011, "lsoa11cd", "lsoa11nm", "LSOA (2011)")
VINTAGES = {v.key: v for v in (LSOA2021, LSOA2011)}


def vintage_of(settings) -> Vintage:
    return VINTAGES[settings.geography.small_area]
