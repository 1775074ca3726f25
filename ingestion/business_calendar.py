"""Teams' business calendars (config/business_calendar.yaml) expanded to business days.

A team without a Zendesk schedule has its weekly hours, time zone and country here. This expands
them, for the years the warehouse's tickets live in, into one row per team, local day and opening
interval (raw.calendar__business_days): the public holidays closed, the makeup working days of
China's calendar (调休) open. That is data at day grain (a few hundred rows per team and year); the
models turn it into UTC intervals and time every ticket in SQL.

A holiday library knows the years its maintainers published: `chinesecalendar` raises
NotImplementedError for any other year. Such a year is never treated as weekdays only (the Spring
Festival would count as working days): the expansion fails, naming the year and what to do.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar
import holidays
import yaml

from ingestion.errors import ConfigError, IngestionError
from ingestion.settings import PROJECT_ROOT

CALENDAR_PATH = PROJECT_ROOT / "config" / "business_calendar.yaml"
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order
MINUTES_PER_DAY = 24 * 60


class CalendarYearNotCovered(IngestionError):
    """A team's holiday library has no data for a year that has tickets."""


Interval = tuple[int, int]  # minutes after local midnight, [open, close)


@dataclass(frozen=True)
class Hours:
    start: dt.date
    week: dict[int, tuple[Interval, ...]]  # weekday (0 = Monday) -> intervals
    makeup: tuple[Interval, ...]


@dataclass(frozen=True)
class TeamCalendar:
    team: str
    time_zone: str
    country: str | None
    hours: tuple[Hours, ...]  # by start date
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]

    def hours_on(self, day: dt.date) -> Hours | None:
        current = None
        for entry in self.hours:
            if entry.start <= day:
                current = entry
        return current


def _minutes(text: str, where: str) -> int:
    try:
        hh, mm = (int(p) for p in text.strip().split(":"))
    except ValueError:
        raise ConfigError(f"{where}: {text!r} is no HH:MM time") from None
    if not (0 <= hh <= 24 and 0 <= mm < 60) or hh * 60 + mm > MINUTES_PER_DAY:
        raise ConfigError(f"{where}: {text!r} is no time of day")
    return hh * 60 + mm


def _intervals(values: object, where: str) -> tuple[Interval, ...]:
    if not isinstance(values, list):
        raise ConfigError(f'{where}: give a list of "HH:MM-HH:MM" intervals')
    out = []
    for value in values:
        start, sep, end = str(value).partition("-")
        if not sep:
            raise ConfigError(f'{where}: {value!r} is no "HH:MM-HH:MM" interval')
        interval = (_minutes(start, where), _minutes(end, where))
        if interval[1] <= interval[0]:
            raise ConfigError(f"{where}: {value!r} ends before it starts (split a shift over midnight in two days)")
        out.append(interval)
    out.sort()
    # overlapping hours would count the shared minutes twice; touching ones ("09:00-12:00",
    # "12:00-18:00") are fine
    for (_, end), (start, _) in itertools.pairwise(out):
        if start < end:
            raise ConfigError(f"{where}: intervals overlap ({_hhmm(start)} starts before {_hhmm(end)}): merge them")
    return tuple(out)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _date(value: object, where: str) -> dt.date:
    try:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is no date (YYYY-MM-DD)") from None


def load_calendar(path: Path = CALENDAR_PATH) -> list[TeamCalendar]:
    """The teams of the file; a wrong entry fails with the file, the team and what is wrong."""
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    teams = []
    for team, spec in (data.get("teams") or {}).items():
        where = f"{path.name}: team {team!r}"
        tz = str(spec.get("time_zone") or "")
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{where}: time_zone {tz!r} is no IANA time zone (e.g. Asia/Shanghai)") from None
        entries = []
        for n, entry in enumerate(spec.get("hours") or (), start=1):
            at = f"{where}, hours entry {n}"
            week = {i: _intervals(entry[d], f"{at}, {d}") for i, d in enumerate(DAY_NAMES) if d in entry}
            makeup = _intervals(entry["makeup_hours"], f"{at}, makeup_hours") if "makeup_hours" in entry else None
            entries.append(Hours(_date(entry.get("from"), f"{at}, from"), week, makeup or week.get(0, ())))
        if not entries:
            raise ConfigError(f"{where}: no hours; give at least one entry with its `from` date")
        teams.append(
            TeamCalendar(
                team=str(team),
                time_zone=tz,
                country=str(spec["country"]).upper() if spec.get("country") else None,
                hours=tuple(sorted(entries, key=lambda e: e.start)),
                holidays=frozenset(_date(d, f"{where}, holidays") for d in spec.get("holidays") or ()),
                workdays=frozenset(_date(d, f"{where}, workdays") for d in spec.get("workdays") or ()),
            )
        )
    return teams


def _not_covered(team: TeamCalendar, year: int, library: str, version: str, detail: str) -> CalendarYearNotCovered:
    return CalendarYearNotCovered(
        f"business calendar: {library} {version} has no {team.country} holidays for {year} ({detail}), and team "
        f"{team.team!r} has tickets then; upgrade {library}, or remove `country` for that team and list "
        f"{year}'s holidays and makeup days under its holidays/workdays in config/business_calendar.yaml"
    )


def _day_kind(team: TeamCalendar, day: dt.date) -> str:
    """'workday', 'makeup' (a weekend day that works), 'holiday' or 'weekend'."""
    if day in team.holidays:
        return "holiday"
    if day in team.workdays:
        return "makeup" if day.weekday() >= 5 else "workday"
    if team.country == "CN":
        try:
            working = chinese_calendar.is_workday(day)
        except NotImplementedError as exc:
            raise _not_covered(team, day.year, "chinesecalendar", chinese_calendar.__version__, str(exc)) from None
        if working:
            return "makeup" if day.weekday() >= 5 else "workday"
        return "holiday" if day.weekday() < 5 or chinese_calendar.get_holiday_detail(day)[1] else "weekend"
    if team.country:
        closed = holidays.country_holidays(team.country, years=day.year)
        if not (type(closed).start_year <= day.year <= type(closed).end_year):
            raise _not_covered(team, day.year, "holidays", holidays.__version__, "outside its supported years")
        if day in closed:
            return "holiday"
    return "weekend" if day.weekday() >= 5 else "workday"


def business_days(team: TeamCalendar, first: dt.date, last: dt.date) -> Iterator[tuple]:
    """(team, time_zone, local_date, open_minute, close_minute, day_kind) for every opening interval
    of the days [first, last]. A makeup day opens with the makeup hours; a holiday not at all."""
    day = first
    while day <= last:
        hours = team.hours_on(day)
        kind = _day_kind(team, day)
        if hours is not None and kind in ("workday", "makeup"):
            intervals = hours.makeup if kind == "makeup" and day.weekday() >= 5 else hours.week.get(day.weekday(), ())
            for open_minute, close_minute in intervals:
                yield team.team, team.time_zone, day, open_minute, close_minute, kind
        day += dt.timedelta(days=1)


def expand(teams: Iterable[TeamCalendar], years: Iterable[int]) -> list[tuple]:
    """Every team's business days over whole years (each year a team has tickets in)."""
    rows: list[tuple] = []
    for team in teams:
        for year in sorted(set(years)):
            rows.extend(business_days(team, dt.date(year, 1, 1), dt.date(year, 12, 31)))
    return rows
