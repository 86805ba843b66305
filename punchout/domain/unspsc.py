"""The UNSPSC segments (the code's first two digits) by name, for people.

The statistics group lines by segment; pages show the segment's name beside its code. The names
are the public English UNSPSC segment titles, marked with :func:`N_` so that ``pybabel extract``
collects them; the web layer translates them with the catalogue (Swedish in
``punchout/translations``). The JSON API, the CSV and the CLI keep the two-digit codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from punchout.domain.unit_names import N_

SEGMENT_NAMES: Mapping[str, str] = MappingProxyType({
    "10": N_("Live Plant and Animal Material and Accessories and Supplies"),
    "11": N_("Mineral and Textile and Inedible Plant and Animal Materials"),
    "12": N_("Chemicals including Bio Chemicals and Gas Materials"),
    "13": N_("Resin and Rosin and Rubber and Foam and Film and Elastomeric Materials"),
    "14": N_("Paper Materials and Products"),
    "15": N_("Fuels and Fuel Additives and Lubricants and Anti corrosive Materials"),
    "20": N_("Mining and Well Drilling Machinery and Accessories"),
    "21": N_("Farming and Fishing and Forestry and Wildlife Machinery and Accessories"),
    "22": N_("Building and Construction Machinery and Accessories"),
    "23": N_("Industrial Manufacturing and Processing Machinery and Accessories"),
    "24": N_("Material Handling and Conditioning and Storage Machinery and their Accessories "
             "and Supplies"),
    "25": N_("Commercial and Military and Private Vehicles and their Accessories and "
             "Components"),
    "26": N_("Power Generation and Distribution Machinery and Accessories"),
    "27": N_("Tools and General Machinery"),
    "30": N_("Structures and Building and Construction and Manufacturing Components and "
             "Supplies"),
    "31": N_("Manufacturing Components and Supplies"),
    "32": N_("Electronic Components and Supplies"),
    "39": N_("Electrical Systems and Lighting and Components and Accessories and Supplies"),
    "40": N_("Distribution and Conditioning Systems and Equipment and Components"),
    "41": N_("Laboratory and Measuring and Observing and Testing Equipment"),
    "42": N_("Medical Equipment and Accessories and Supplies"),
    "43": N_("Information Technology Broadcasting and Telecommunications"),
    "44": N_("Office Equipment and Accessories and Supplies"),
    "45": N_("Printing and Photographic and Audio and Visual Equipment and Supplies"),
    "46": N_("Defense and Law Enforcement and Security and Safety Equipment and Supplies"),
    "47": N_("Cleaning Equipment and Supplies"),
    "48": N_("Service Industry Machinery and Equipment and Supplies"),
    "49": N_("Sports and Recreational Equipment and Supplies and Accessories"),
    "50": N_("Food Beverage and Tobacco Products"),
    "51": N_("Drugs and Pharmaceutical Products"),
    "52": N_("Domestic Appliances and Supplies and Consumer Electronic Products"),
    "53": N_("Apparel and Luggage and Personal Care Products"),
    "54": N_("Timepieces and Jewelry and Gemstone Products"),
    "55": N_("Published Products"),
    "56": N_("Furniture and Furnishings"),
    "60": N_("Musical Instruments and Games and Toys and Arts and Crafts and Educational "
             "Equipment and Materials and Accessories and Supplies"),
    "64": N_("Financial Instruments, Products, Contracts and Agreements"),
    "70": N_("Farming and Fishing and Forestry and Wildlife Contracting Services"),
    "71": N_("Mining and oil and gas services"),
    "72": N_("Building and Facility Construction and Maintenance Services"),
    "73": N_("Industrial Production and Manufacturing Services"),
    "76": N_("Industrial Cleaning Services"),
    "77": N_("Environmental Services"),
    "78": N_("Transportation and Storage and Mail Services"),
    "80": N_("Management and Business Professionals and Administrative Services"),
    "81": N_("Engineering and Research and Technology Based Services"),
    "82": N_("Editorial and Design and Graphic and Fine Art Services"),
    "83": N_("Public Utilities and Public Sector Related Services"),
    "84": N_("Financial and Insurance Services"),
    "85": N_("Healthcare Services"),
    "86": N_("Education and Training Services"),
    "90": N_("Travel and Food and Lodging and Entertainment Services"),
    "91": N_("Personal and Domestic Services"),
    "92": N_("National Defense and Public Order and Security and Safety Services"),
    "93": N_("Politics and Civic Affairs Services"),
    "94": N_("Organizations and Clubs"),
    "95": N_("Land and Buildings and Structures and Thoroughfares"),
})


def segment_name(code: str) -> str | None:
    """The English title of a two-digit segment code; None for an unknown one."""
    return SEGMENT_NAMES.get(code)
