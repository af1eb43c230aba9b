"""pouls: an open, self-hosted engine for social signals."""

__version__ = "0.1.0"
