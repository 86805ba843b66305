"""The item fields of SAP OCI 4.0 / 5.0 and their maximum lengths.

A basket field is ``NEW_ITEM-<FIELD>[n]``. Lengths are the OCI 4.0/5.0 ones and are counted in
*characters* (a DESCRIPTION of 40 × "€" is fine although it is 120 bytes in UTF-8): the receiving
system stores them in character fields, whatever encoding the browser used on the way.
The long text (``NEW_ITEM-LONGTEXT_n:132[]``) is not in this table: it has no length limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

#: The name prefix of every item field (compared case-insensitively).
NEW_ITEM_PREFIX = "NEW_ITEM-"


class OciField(StrEnum):
    """An OCI item field, by its wire name (the part between ``NEW_ITEM-`` and ``[n]``)."""

    DESCRIPTION = "DESCRIPTION"
    MATNR = "MATNR"
    QUANTITY = "QUANTITY"
    UNIT = "UNIT"
    PRICE = "PRICE"
    CURRENCY = "CURRENCY"
    PRICEUNIT = "PRICEUNIT"
    LEADTIME = "LEADTIME"
    VENDOR = "VENDOR"
    VENDORMAT = "VENDORMAT"
    MANUFACTCODE = "MANUFACTCODE"
    MANUFACTMAT = "MANUFACTMAT"
    MATGROUP = "MATGROUP"
    SERVICE = "SERVICE"
    CONTRACT = "CONTRACT"
    CONTRACT_ITEM = "CONTRACT_ITEM"
    EXT_QUOTE_ID = "EXT_QUOTE_ID"
    EXT_QUOTE_ITEM = "EXT_QUOTE_ITEM"
    EXT_PRODUCT_ID = "EXT_PRODUCT_ID"
    ATTACHMENT = "ATTACHMENT"
    ATTACHMENT_TITLE = "ATTACHMENT_TITLE"
    ATTACHMENT_PURPOSE = "ATTACHMENT_PURPOSE"
    EXT_SCHEMA_TYPE = "EXT_SCHEMA_TYPE"
    EXT_CATEGORY_ID = "EXT_CATEGORY_ID"
    EXT_CATEGORY = "EXT_CATEGORY"
    CUST_FIELD1 = "CUST_FIELD1"
    CUST_FIELD2 = "CUST_FIELD2"
    CUST_FIELD3 = "CUST_FIELD3"
    CUST_FIELD4 = "CUST_FIELD4"
    CUST_FIELD5 = "CUST_FIELD5"
    # OCI 5.0: item hierarchy.
    ITEM_TYPE = "ITEM_TYPE"
    PARENT_ID = "PARENT_ID"


#: Maximum length in characters of every field (OCI 4.0/5.0).
MAX_LENGTHS: Mapping[OciField, int] = MappingProxyType(
    {
        OciField.DESCRIPTION: 40,
        OciField.MATNR: 40,
        OciField.QUANTITY: 15,
        OciField.UNIT: 3,
        OciField.PRICE: 15,
        OciField.CURRENCY: 5,
        OciField.PRICEUNIT: 5,
        OciField.LEADTIME: 5,
        OciField.VENDOR: 10,
        OciField.VENDORMAT: 40,
        OciField.MANUFACTCODE: 10,
        OciField.MANUFACTMAT: 40,
        OciField.MATGROUP: 10,
        OciField.SERVICE: 1,
        OciField.CONTRACT: 10,
        OciField.CONTRACT_ITEM: 5,
        OciField.EXT_QUOTE_ID: 35,
        OciField.EXT_QUOTE_ITEM: 10,
        OciField.EXT_PRODUCT_ID: 40,
        OciField.ATTACHMENT: 255,
        OciField.ATTACHMENT_TITLE: 255,
        OciField.ATTACHMENT_PURPOSE: 1,
        OciField.EXT_SCHEMA_TYPE: 10,
        OciField.EXT_CATEGORY_ID: 60,
        OciField.EXT_CATEGORY: 40,
        OciField.CUST_FIELD1: 10,
        OciField.CUST_FIELD2: 10,
        OciField.CUST_FIELD3: 10,
        OciField.CUST_FIELD4: 20,
        OciField.CUST_FIELD5: 50,
        OciField.ITEM_TYPE: 1,
        OciField.PARENT_ID: 5,
    }
)

#: Fields that only OCI 5.0 knows.
OCI_5_FIELDS: frozenset[OciField] = frozenset({OciField.ITEM_TYPE, OciField.PARENT_ID})


def max_length(field: OciField | str) -> int:
    """The maximum length in characters of ``field`` (``KeyError`` for an unknown field)."""
    return MAX_LENGTHS[OciField(field)]


def lookup_field(name: str) -> OciField | None:
    """The field called ``name`` in any letter case (real shops send upper case), or None."""
    try:
        return OciField(name.strip().upper())
    except ValueError:
        return None
