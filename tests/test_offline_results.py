"""The data-quality results page that opens without a network (GX's Data Docs need CDNs)."""

from __future__ import annotations

import re

import great_expectations as gx
import pandas as pd

from expectations.validate import validate


def test_the_offline_results_page_shows_each_expectation_and_loads_nothing(tmp_path):
    # four tickets: two have no team (rows 2 and 4), every handle time is within 0..10 hours
    tickets = pd.DataFrame({"team": ["T1", None, "T2", None], "handle_hours": [1.0, 2.5, 0.0, 9.75]})
    outcome = validate(
        "offline_page_check",
        tickets,
        [
            gx.expectations.ExpectColumnValuesToNotBeNull(column="team"),
            gx.expectations.ExpectColumnValuesToBeBetween(column="handle_hours", min_value=0, max_value=10),
        ],
        tmp_path,
    )
    assert not outcome.success
    page = (tmp_path / "offline_results" / "index.html").read_text("utf-8")
    assert outcome.offline_results == str(tmp_path / "offline_results" / "index.html")
    # nothing to fetch: no address at all, so it reads the same from disk with no network
    assert not re.search(r"https?://|src=|<link", page)
    rows = re.findall(
        r"<tr><td>(expect_\w+)</td><td><code>(.*?)</code></td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>", page
    )
    assert [(r[0], r[2], r[4]) for r in rows] == [
        ("expect_column_values_to_not_be_null", '<span class="failed">FAILED</span>', "2"),  # rows 2 and 4
        ("expect_column_values_to_be_between", '<span class="passed">passed</span>', "0"),
    ]
    assert 'offline_page_check: <span class="failed">FAILED</span>' in page
    assert "<td>4</td>" in page  # rows checked
