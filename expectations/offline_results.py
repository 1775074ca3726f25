"""An offline page of the latest Great Expectations results, one section per suite.

GX's Data Docs load their styles and scripts from CDNs, so opened without a network they show
an unstyled, mostly empty page. This page carries its own styles, nothing else: every suite's last
validation, each expectation with its outcome, what was observed and examples of unexpected values.
The suites' results are kept as JSON beside it, so each validation rewrites the page whole.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = "offline_results"

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #ccc; padding: 4px 8px;
text-align: left; vertical-align: top; } th { background: #f3f3f3; }
.passed { color: #1a7f37; font-weight: 600; } .failed { color: #b42318; font-weight: 600; }
code { font-size: 12px; }
"""


def record(gx_dir: Path, suite: str, rows_checked: int, success: bool, expectations: list[dict[str, Any]]) -> Path:
    """Keep a suite's latest results and rewrite the page; returns the page's path.

    `expectations`: one dict per expectation: type, kwargs, success, observed_value,
    unexpected_count, examples.
    """
    folder = gx_dir / RESULTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    latest = {
        "suite": suite,
        "validated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "rows_checked": rows_checked,
        "success": success,
        "expectations": expectations,
    }
    (folder / f"{suite}.json").write_text(json.dumps(latest, default=str, ensure_ascii=False), "utf-8")
    page = folder / "index.html"
    page.write_text(_render([json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]), "utf-8")
    return page


def _outcome(success: bool) -> str:
    return '<span class="passed">passed</span>' if success else '<span class="failed">FAILED</span>'


def _render(suites: list[dict[str, Any]]) -> str:
    e = html.escape
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        f"<title>Data quality results</title><style>{_STYLE}</style></head><body>",
        "<h1>Data quality results: each suite's latest validation</h1>",
        "<table><tr><th>suite</th><th>outcome</th><th>rows checked</th><th>validated</th></tr>",
    ]
    for s in suites:
        parts.append(
            f'<tr><td><a href="#{e(s["suite"])}">{e(s["suite"])}</a></td><td>{_outcome(s["success"])}</td>'
            f"<td>{s['rows_checked']:,}</td><td>{e(s['validated_at'])}</td></tr>"
        )
    parts.append("</table>")
    for s in suites:
        parts.append(f'<h2 id="{e(s["suite"])}">{e(s["suite"])}: {_outcome(s["success"])}</h2>')
        parts.append(
            "<table><tr><th>expectation</th><th>arguments</th><th>outcome</th><th>observed</th>"
            "<th>unexpected rows</th><th>examples</th></tr>"
        )
        for x in s["expectations"]:
            kwargs = json.dumps(x["kwargs"], default=str, ensure_ascii=False)
            observed = "" if x["observed_value"] is None else str(x["observed_value"])
            unexpected = "" if x["unexpected_count"] is None else f"{x['unexpected_count']:,}"
            parts.append(
                f"<tr><td>{e(x['type'])}</td><td><code>{e(kwargs)}</code></td><td>{_outcome(x['success'])}</td>"
                f"<td>{e(observed)}</td><td>{unexpected}</td><td>{e(', '.join(x['examples']))}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
