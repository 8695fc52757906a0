"""① Normalisation: names across scripts, dates, places and units -> comparable keys.

Pure functions, no web or database imports. See docs/normalise.md.
"""

from kintrace.normalise.dates import parse_date
from kintrace.normalise.names import NameAnalysis, analyse_name, analyse_names
from kintrace.normalise.places import place_key
from kintrace.normalise.units import unit_key

__all__ = ["NameAnalysis", "analyse_name", "analyse_names", "parse_date", "place_key", "unit_key"]
