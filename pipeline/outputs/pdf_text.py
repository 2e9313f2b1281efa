"""Laying out the briefings' text with fpdf, sooner and to the same bytes.

Most of a briefing's drawing time is fpdf breaking text into lines: it re-measures a line's whole text
each time it adds a character, and the briefings lay the same text out more than once (the notes are
measured at several sizes on a scratch document before they are drawn, and a section is measured before
it is placed). Two things here cut that without changing a line break:

- ``FastWidthFont`` measures a text from a table keyed by character, remembered per text;
- ``RememberedLineBreak`` remembers the lines a paragraph was broken into, and gives them again when the
  same paragraph (the same characters in the same styles, at the same width and settings) is laid out again,
  in this document or another, each line's text bound to the styles (and so the fonts) of the paragraph
  now being laid out, as fpdf's own line breaking would have bound them.

Both hold for fpdf 2.8.9, the version pinned: another version lays out with its own code, untouched.
``tests/test_briefings_layout.py`` lays the same pages out both ways and compares the bytes.
"""

from __future__ import annotations

import copy

import fpdf
import fpdf.fpdf
import fpdf.line_break
import fpdf.text_region
from fpdf.fonts import TTFFont
from fpdf.line_break import CurrentLine, Fragment, MultiLineBreak, TextLine
from fpdf.text_region import TextColumns

FPDF_VERSION = "2.8.9"  # the version whose line breaking this module was checked against
MOST_REMEMBERED = 500_000  # texts (widths) and paragraphs (lines) remembered per process, a bound on memory


class _Widths(dict):
    """A font's character widths keyed by the character itself (fpdf keys them by code point)."""

    def __init__(self, by_code_point):
        super().__init__()
        self.by_code_point = by_code_point

    def __missing__(self, character: str) -> float:
        width = self[character] = self.by_code_point[ord(character)]
        return width


_WIDTHS: dict[object, _Widths] = {}  # font file -> its widths by character
_UNITS: dict[tuple[object, str], float] = {}  # (font file, text) -> the text's width in font units
_SAME_FILE: dict[object, object] = {}  # a font file's Path -> the one Path object every document's font holds


class FastWidthFont(TTFFont):
    """fpdf re-measures a line's whole text each time it adds a character, through a generator with one
    lookup per character. This font gives the same sums, in the same order (so the same widths and the same
    bytes), from a table keyed by character, remembered per text for the process."""

    __slots__ = ()

    def get_text_width(self, text: str, font_size_pt: float, text_shaping_params) -> tuple[int, float]:
        if text_shaping_params or self.is_symbol:
            return super().get_text_width(text, font_size_pt, text_shaping_params)
        self.biggest_size_pt = max(self.biggest_size_pt, font_size_pt)  # as fpdf's own method records it
        key = (self.ttffile, text)
        units = _UNITS.get(key)
        if units is None:
            if len(_UNITS) > MOST_REMEMBERED:
                _UNITS.clear()
            units = _UNITS[key] = sum(map(self.widths().__getitem__, text))
        return len(text), units * font_size_pt * 0.001

    def widths(self) -> _Widths:
        return _WIDTHS.get(self.ttffile) or _WIDTHS.setdefault(self.ttffile, _Widths(self.cw))


def fast_fonts(pdf: fpdf.FPDF) -> None:
    """Measure the document's TrueType fonts with ``FastWidthFont``. Every document's font of one file holds
    the same Path object, so the tables keyed by it find it by identity, not by comparing paths."""
    for font in pdf.fonts.values():
        if type(font) is TTFFont:
            font.__class__ = FastWidthFont
            font.ttffile = _SAME_FILE.setdefault(font.ttffile, font.ttffile)


class FastCurrentLine(CurrentLine):
    """fpdf's line being filled, whose width fpdf asks for at every character added: summed here straight from
    the characters in plain text (a font of its own size, spacing and stretching, no shaping), the same numbers
    in the same order as ``Fragment.get_width``, without joining each piece into a string and measuring it
    through four calls; any other text is measured by fpdf's own method."""

    @property
    def width(self) -> float:
        width: float = 0
        for i, fragment in enumerate(self.fragments):
            font = fragment.graphics_state.current_font
            if (
                type(font) is FastWidthFont
                and not font.is_symbol
                and not fragment.text_shaping_parameters
                and fragment.char_spacing == 0
                and fragment.font_stretching == 100
            ):
                size = fragment.font_size_pt
                font.biggest_size_pt = max(font.biggest_size_pt, size)
                width += sum(map(font.widths().__getitem__, fragment.characters)) * size * 0.001 / fragment.k
            else:
                width += fragment.get_width(initial_cs=i > 0)
        return width


def _style(fragment: Fragment) -> tuple:
    """What of a fragment decides its line breaks, its font named by file and style rather than by the object
    (each document loads its own)."""
    return (type(fragment), "".join(fragment.characters), repr(fragment.graphics_state), fragment.k, fragment.link)


# paragraph -> its lines, each with the index of the paragraph's fragment each of its pieces was cut from
_LINES: dict[tuple, list[tuple[TextLine, list[int]]]] = {}


def _unbound(line: TextLine) -> TextLine:
    """A copy of a line to remember, its pieces holding no style: a style holds its document's fonts, which would
    otherwise stay in memory as long as the line is remembered."""
    pieces = []
    for piece in line.fragments:
        kept = copy.copy(piece)
        kept.characters = list(piece.characters)
        kept.graphics_state = None
        pieces.append(kept)
    return line._replace(fragments=pieces)


class RememberedLineBreak(MultiLineBreak):
    """fpdf's line breaking, remembered per paragraph for the process.

    Only a paragraph whose width is the same for every line is remembered: a cell's (a number) or a column's of
    text columns. fpdf's ``write`` and text regions of other shapes give a line a width of its own, which a
    remembered paragraph would not see; they are laid out by fpdf's own code each time."""

    def __init__(self, fragments, max_width, margins=(0, 0), **settings):
        super().__init__(fragments, max_width, margins, **settings)
        fixed = not callable(max_width) or isinstance(getattr(max_width, "__self__", None), TextColumns)
        self._key = (
            tuple(map(_style, fragments)),
            self.get_width(0),
            tuple(margins),
            tuple(sorted((k, repr(v)) for k, v in settings.items())),
        )
        remembered = _LINES.get(self._key) if fixed else None
        self._given = None if remembered is None else iter(self._bound(remembered))
        self._made: list[tuple[TextLine, list[int]]] | None = [] if remembered is None and fixed else None

    def _bound(self, remembered: list[tuple[TextLine, list[int]]]) -> list[TextLine]:
        """The remembered lines, each piece of text a new fragment in the style of this paragraph's own."""
        states = [f.graphics_state for f in self.fragments]
        lines = []
        for line, cut_from in remembered:
            pieces = []
            for piece, index in zip(line.fragments, cut_from, strict=True):
                new = copy.copy(piece)
                new.characters = list(piece.characters)
                new.graphics_state = states[index]
                pieces.append(new)
            lines.append(line._replace(fragments=pieces))
        return lines

    def get_line(self) -> TextLine | None:
        if self._given is not None:
            return next(self._given, None)
        line = super().get_line()
        if self._made is None:
            return line
        if line is None:
            if len(_LINES) > MOST_REMEMBERED:
                _LINES.clear()
            _LINES[self._key] = self._made
            self._made = None
            return None
        states = {id(f.graphics_state): i for i, f in enumerate(self.fragments)}
        cut_from = [states.get(id(piece.graphics_state)) for piece in line.fragments]
        if None in cut_from:  # a piece in a style of fpdf's own making (a hyphen): this paragraph is not kept
            self._made = None
        else:
            self._made.append((_unbound(line), cut_from))
        return line


def install() -> bool:
    """Lay out text with ``RememberedLineBreak`` in this process, where fpdf is the version it was checked
    against; True if it does."""
    if fpdf.__version__ != FPDF_VERSION:
        return False
    fpdf.fpdf.MultiLineBreak = RememberedLineBreak
    fpdf.text_region.MultiLineBreak = RememberedLineBreak
    fpdf.line_break.CurrentLine = FastCurrentLine
    return True


def uninstall() -> None:
    """fpdf's own line breaking again (the tests compare the two)."""
    fpdf.fpdf.MultiLineBreak = MultiLineBreak
    fpdf.text_region.MultiLineBreak = MultiLineBreak
    fpdf.line_break.CurrentLine = CurrentLine
