"""What the unit codes of :mod:`punchout.domain.units` are called, for people.

Pages show a unit by name with its code beside ("förpackning (XPK)"): buyers read names, the
code is what the supplier and the agreement use. The names here are English message ids marked
with :func:`N_` so that ``pybabel extract`` collects them; the web layer translates them with
the catalogue (Swedish in ``punchout/translations``). The JSON API and the CLI keep the codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate"
    """Mark a string for extraction; translation happens where it is shown."""
    return message


#: UN/ECE Rec 20 (and Rec 21 ``X`` package) codes a Swedish municipality meets in baskets.
UNIT_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "H87": N_("piece"),
        "EA": N_("piece"),
        "C62": N_("piece"),
        "XPK": N_("pack"),
        "XPA": N_("packet"),
        "XBX": N_("box"),
        "XCT": N_("carton"),
        "XCS": N_("case"),
        "XBG": N_("bag"),
        "XBO": N_("bottle"),
        "XRO": N_("roll"),
        "XRM": N_("ream"),
        "XPR": N_("pair"),
        "PR": N_("pair"),
        "SET": N_("set"),
        "KGM": N_("kilogram"),
        "GRM": N_("gram"),
        "LTR": N_("litre"),
        "MLT": N_("millilitre"),
        "MTR": N_("metre"),
        "MTK": N_("square metre"),
        "HUR": N_("hour"),
        "DAY": N_("day"),
        "MON": N_("month"),
    }
)


def unit_name(code: str) -> str | None:
    """The English name of a (normalised) unit code, or None for a code we do not name."""
    return UNIT_NAMES.get(code.strip().upper())
