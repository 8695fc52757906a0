"""Synthetic people: plausible Russian and Ukrainian soldiers and civilians, never real ones.

`make_world(seed, persons)` gives persons, sources, reports and relatives' enquiries,
deterministic by seed; `iter_world` streams the same world person by person. The demo, the
tests and the matching benchmarks share it. Imports only the standard library.
"""

from kintrace.synthetic.world import (
    EXCHANGE_COLUMNS,
    SOURCES,
    PersonBundle,
    SynthEnquiry,
    SynthPerson,
    SynthReport,
    SynthSource,
    Unit,
    World,
    iter_world,
    make_world,
)

__all__ = [
    "EXCHANGE_COLUMNS",
    "SOURCES",
    "PersonBundle",
    "SynthEnquiry",
    "SynthPerson",
    "SynthReport",
    "SynthSource",
    "Unit",
    "World",
    "iter_world",
    "make_world",
]
