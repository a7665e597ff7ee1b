"""Flagging: explainable detection of war-crimes and investigation mentions."""

from warwatch.flagging.engine import Classification, FlagEngine, Match

__all__ = ["Classification", "FlagEngine", "Match"]
