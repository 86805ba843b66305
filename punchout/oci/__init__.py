"""The pure SAP OCI 4.0/5.0 codec: the outbound call, the inbound basket, search/validate pages.

No web framework, database or network code lives here (a test makes sure of it); any XML (the
``~xmlDocument`` variant) goes through :mod:`punchout.safexml`. Units are mapped by the domain's
one table, :mod:`punchout.domain.units`.
"""

from punchout.domain.units import normalise_unit, same_unit
from punchout.oci.basket import (
    OciBasket,
    OciLine,
    is_oci_body,
    is_oci_fields,
    parse_oci_body,
    parse_oci_fields,
)
from punchout.oci.call import (
    FUNCTION_PARAMS,
    HOOK_QUERY,
    MASK,
    OciCall,
    OciFunction,
    OciMethod,
    build_call,
    hook_url_with_query,
    is_secret_name,
    masked_call,
    masked_params,
)
from punchout.oci.errors import OciError
from punchout.oci.fields import MAX_LENGTHS, OciField, max_length
from punchout.oci.search import (
    OciHtmlForm,
    parse_oci_html,
    parse_oci_html_form,
    parse_oci_html_forms,
)

__all__ = [
    "FUNCTION_PARAMS",
    "HOOK_QUERY",
    "MASK",
    "MAX_LENGTHS",
    "OciBasket",
    "OciCall",
    "OciError",
    "OciField",
    "OciFunction",
    "OciHtmlForm",
    "OciLine",
    "OciMethod",
    "build_call",
    "hook_url_with_query",
    "is_oci_body",
    "is_oci_fields",
    "is_secret_name",
    "masked_call",
    "masked_params",
    "max_length",
    "normalise_unit",
    "parse_oci_body",
    "parse_oci_fields",
    "parse_oci_html",
    "parse_oci_html_form",
    "parse_oci_html_forms",
    "same_unit",
]
