"""Units of measure: the one table that maps legacy and SAP codes to UN/ECE Recommendation 20.

The gateway speaks UN/ECE Rec 20 with the Rec 21 package codes prefixed ``X`` (``XPK`` pack,
``XBX`` box), as Peppol's code list does. Baskets still arrive with legacy cXML codes (``PK``,
``BX``, ``PCE``) and, over OCI, with SAP-internal or free-text units (``ST``, ``STK``, ``PCS``,
``STUECK``). They are mapped here, on the way in, by :func:`normalise_unit`, and nowhere else.

There is deliberately no conversion between different units: a pack is not N pieces, so a
different unit is a ``unit_mismatch`` for the agreement check, never a recalculation. The only
equivalence is between the three "one piece" codes ``EA``, ``C62`` and ``H87``
(:func:`same_unit`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: Legacy and SAP codes → UN/ECE Rec 20. Keys are upper case; lookups trim and upper-case.
LEGACY_UNITS: Mapping[str, str] = MappingProxyType(
    {
        "PK": "XPK",  # cXML / Rec 20 before revision 11e: pack
        "BX": "XBX",  # box
        "PCE": "H87",  # piece (old Rec 20)
        "PCS": "H87",  # free text "pieces"
        "ST": "H87",  # SAP internal "Stück"
        "STK": "H87",  # SAP ISO-ish "Stück"
        "STUECK": "H87",
        "STÜCK": "H87",
    }
)

#: Codes that all mean "one piece" and compare as the same unit.
PIECE_UNITS: frozenset[str] = frozenset({"EA", "C62", "H87"})


#: Codes as sent -> their Rec 20 code, for the built-in table only: a basket repeats a handful
#: of codes on every line. Bounded, since the codes come from outside.
_NORMALISED: dict[str, str] = {}
_MAX_REMEMBERED = 1024


def _key(code: str) -> str:
    return code.strip().upper()


def normalise_unit(code: str, extra: Mapping[str, str] | None = None) -> str:
    """The UN/ECE Rec 20 code for ``code``: trimmed, upper-cased, legacy codes mapped.

    ``extra`` is a supplier's own table (e.g. ``{"KART": "XBX"}``); its keys are matched the same
    way (trimmed, any case) and it wins over the built-in table. What it maps to is normalised
    once more through the built-in table, so a supplier table that says ``{"FP": "PK"}`` still
    ends in ``XPK``. Unknown codes come back upper-cased but otherwise unchanged: whether the
    agreement knows them is the agreement check's business, not this table's.
    """
    if not extra:
        known = _NORMALISED.get(code)
        if known is not None:
            return known
    key = _key(code)
    if extra:
        for name, target in extra.items():
            if _key(name) == key:
                key = _key(target)
                break
    result = LEGACY_UNITS.get(key, key)
    if not extra and len(_NORMALISED) < _MAX_REMEMBERED:
        _NORMALISED[code] = result
    return result


def same_unit(a: str, b: str, extra: Mapping[str, str] | None = None) -> bool:
    """Whether two unit codes name the same unit after normalisation (``EA``≡``C62``≡``H87``)."""
    left = normalise_unit(a, extra)
    right = normalise_unit(b, extra)
    if left == right:
        return True
    return left in PIECE_UNITS and right in PIECE_UNITS
