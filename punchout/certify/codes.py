"""Code lists the suite judges against: ISO 4217 currencies and UN/ECE Rec 20 units.

The gateway itself accepts any three-letter currency and maps legacy units on the way in
(:mod:`punchout.domain.units`); a certified supplier should not need that leniency, so the
suite checks against real lists. The unit list holds the Rec 20 codes that occur in public
procurement baskets (not all ~2 000 of them); Rec 21 package codes are accepted as ``X`` plus
two letters or digits, as in Peppol's code list (revision 11e or later).
"""

from __future__ import annotations

import re

from punchout.domain.units import LEGACY_UNITS

#: Active ISO 4217 alphabetic codes (``XXX`` "no currency" and ``XTS`` "testing" left out).
ISO_4217: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD
    BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP
    DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR
    IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD
    MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB
    PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD
    SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS
    VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER
    ZAR ZMW ZWG ZWL
    """.split()
)

#: UN/ECE Recommendation 20 codes common in procurement (pieces, mass, volume, length, area,
#: time, energy, sets and pairs, lump sums).
REC_20: frozenset[str] = frozenset(
    """
    C62 H87 EA NAR NPR PR SET DZN GRO LS E48 ZZ P1 NMP KT
    KGM GRM MGM MC TNE HGM DTN LBR ONZ
    LTR MLT CLT DLT HLT MTQ CMQ DMQ MMQ GLL QT PT
    MTR CMT MMT DMT KMT INH FOT YRD LM
    MTK CMK MMK DMK KMK HAR ARE FTK
    SEC MIN HUR DAY WEE MON ANN
    KWH MWH WHR WTT KWT MAW KVA
    KMH MTS GFI
    """.split()
)

_REC_21 = re.compile(r"X[0-9A-Z]{2}")
_UNSPSC = re.compile(r"[0-9]{8}")


def is_iso_currency(code: str) -> bool:
    return code in ISO_4217


def is_rec20_unit(code: str) -> bool:
    """A Rec 20 code from the list, or a Rec 21 package code prefixed ``X`` (``XPK``).

    Case matters: ``ea`` is not ``EA`` (code lists compare exactly)."""
    return code in REC_20 or bool(_REC_21.fullmatch(code))


def unit_advice(code: str) -> str:
    """Why a unit is not acceptable and what to send instead."""
    key = code.strip().upper()
    if not code.strip():
        return "the unit is empty"
    if key in LEGACY_UNITS:
        return f"{code!r} is a legacy/SAP code: send {LEGACY_UNITS[key]!r}"
    if key != code and is_rec20_unit(key):
        return f"{code!r} must be written in capitals: {key!r}"
    return f"{code!r} is not a UN/ECE Rec 20 code"


def is_unspsc(code: str) -> bool:
    return bool(_UNSPSC.fullmatch(code))
