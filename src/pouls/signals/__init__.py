"""The one schema every stage speaks: the `Signal`, its enrichments and its stable id.

Nothing here imports the rest of pouls: every other package depends on this one.
"""

from pouls.signals.ids import content_id, signal_id
from pouls.signals.model import (
    CHANNELS,
    KINDS,
    VISIBILITIES,
    Batch,
    Channel,
    DeadLetter,
    Entity,
    Geo,
    Kind,
    Metrics,
    Sentiment,
    Signal,
    Visibility,
    decode,
    decode_many,
    encode,
    utcnow,
)

__all__ = [
    "CHANNELS",
    "KINDS",
    "VISIBILITIES",
    "Batch",
    "Channel",
    "DeadLetter",
    "Entity",
    "Geo",
    "Kind",
    "Metrics",
    "Sentiment",
    "Signal",
    "Visibility",
    "content_id",
    "decode",
    "decode_many",
    "encode",
    "signal_id",
    "utcnow",
]
