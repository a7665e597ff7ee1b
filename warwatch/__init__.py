"""warwatch: watch official and wire sources, keep every version, flag war-crimes mentions."""

__version__ = "0.1.0"
