"""Mosaics: an open-source micro-credential platform (Open Badges 3.0, W3C VCs)."""

__version__ = "0.1.0"
