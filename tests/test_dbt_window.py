"""The dbt vars window: half-open local days, widened backwards by the look-back."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from orchestration.defs.dbt.window import dbt_window_vars

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_one_partition_is_its_day_plus_the_lookback():
    # Dagster's window for 2026-03-18 ends at the start of 2026-03-19.
    start, end = datetime(2026, 3, 18, tzinfo=SHANGHAI), datetime(2026, 3, 19, tzinfo=SHANGHAI)
    assert dbt_window_vars(start, end, 14) == {"window_start": "2026-03-04", "window_end": "2026-03-19"}


def test_a_range_backfill_is_one_window():
    start, end = datetime(2025, 1, 1, tzinfo=SHANGHAI), datetime(2026, 1, 1, tzinfo=SHANGHAI)
    assert dbt_window_vars(start, end, 0) == {"window_start": "2025-01-01", "window_end": "2026-01-01"}


def test_local_days_not_utc_days():
    # 00:00 in Shanghai is 16:00 UTC the day before; the vars are local days.
    start = datetime(2026, 3, 18, tzinfo=SHANGHAI)
    vars_ = dbt_window_vars(start, datetime(2026, 3, 19, tzinfo=SHANGHAI), 0)
    assert vars_["window_start"] == "2026-03-18"


@pytest.mark.parametrize(("days", "lookback"), [(0, 14), (1, -1)])
def test_bad_windows_are_refused(days, lookback):
    start = datetime(2026, 3, 18, tzinfo=SHANGHAI)
    end = datetime(2026, 3, 18 + days, tzinfo=SHANGHAI)
    with pytest.raises(ValueError):
        dbt_window_vars(start, end, lookback)
