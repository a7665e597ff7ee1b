"""Lenient reading of the dates feeds really carry.

feedparser gives up on dates such as "Seg, 24 Set 2018 19:42:40 -0300" (Portuguese day
and month names) or "Thu,28 Jul 2022 4:35:5 GMT+9"; a monitor that drops those dates
cannot tell new from old. The day name is redundant and dropped, month names are read in
the languages these sources publish in, and the time and zone are repaired.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

_MONTHS = {
    "jan": "jan janv janvier januar enero ene janeiro gennaio gen січ янв",
    "feb": "feb févr fevr février februar febrero fev fevereiro febbraio лют фев",
    "mar": "mar mars märz marz mär marzo março marco бер мар",
    "apr": "apr avr avril april abril abr aprile кві апр",
    "may": "may mai mayo maio maggio mag тра мая май",
    "jun": "jun juin juni junio junho giugno giu чер июн",
    "jul": "jul juil juillet juli julio julho luglio lug лип июл",
    "aug": "aug août aout august agosto ago сер авг",
    "sep": "sep sept septembre september septiembre set setembro settembre вер сен",
    "oct": "oct octobre oktober okt octubre outubro out ottobre ott жов окт",
    "nov": "nov novembre november noviembre novembro лис ноя",
    "dec": "dec déc décembre decembre dezember dez diciembre dic dezembro dicembre гру дек",
}
_MONTH_OF = {name: english for english, names in _MONTHS.items() for name in names.split()}
_DAY_NAME = re.compile(r"^\s*[^\W\d]+\.?\s*,\s*", re.UNICODE)
_PARTS = re.compile(
    r"^(?P<day>\d{1,2})\s+(?P<month>[^\W\d]+)\.?\s+(?P<year>\d{4})"
    r"(?:\s+(?P<h>\d{1,2}):(?P<m>\d{1,2})(?::(?P<s>\d{1,2}))?)?\s*(?P<zone>.*)$",
    re.UNICODE,
)
_GMT_OFFSET = re.compile(r"^(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def parse_loose_date(text: str | None) -> datetime | None:
    """An aware UTC datetime from an RFC 822-like date in any of several languages."""
    if not text:
        return None
    match = _PARTS.match(_DAY_NAME.sub("", text.strip()))
    if not match:
        return None
    month = _MONTH_OF.get(match["month"].lower())
    if month is None:
        return None
    time = f"{int(match['h'] or 0):02d}:{int(match['m'] or 0):02d}:{int(match['s'] or 0):02d}"
    zone = (match["zone"] or "GMT").strip()
    offset = _GMT_OFFSET.match(zone)
    if offset:
        sign = 1 if offset[1] == "+" else -1
        delta = timedelta(hours=int(offset[2]), minutes=int(offset[3] or 0))
        parsed = datetime.strptime(
            f"{match['day']} {month} {match['year']} {time}", "%d %b %Y %H:%M:%S"
        )
        return parsed.replace(tzinfo=timezone(sign * delta)).astimezone(UTC)
    try:
        parsed = parsedate_to_datetime(f"{match['day']} {month} {match['year']} {time} {zone}")
    except (TypeError, ValueError, IndexError):
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
