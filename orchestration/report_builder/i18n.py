# ruff: noqa: RUF001, E501 (Chinese punctuation is meant; a Chinese sentence is not wrapped mid-phrase)
"""The report's words in its two languages, en and zh-CN.

The Chinese terms are the customer-service measurement guides' own (客户服务水平测量与提升指南):
首次响应时间, 首次解决率, 客户满意度, 净推荐值, 投诉率, the 服务水平测量指标表 (indicator name,
formula, data source, target, actual, 达标情况) and the 改进计划 columns (未达标指标, 根因分析,
改进措施, 责任人, 完成时间, 所需资源, 验证方式). KPI names, formulas and sources in English come from
the kpi_targets seed; their Chinese here, by KPI code.
"""

from __future__ import annotations

from datetime import date, timedelta

from ingestion.settings import REPORT_LANGUAGES as LANGUAGES
from orchestration.report_builder.period import Period

DEFAULT_LANGUAGE = "en"


def check_language(value: str, where: str = "CSKPI_REPORT_LANGUAGE") -> str:
    if value not in LANGUAGES:
        raise ValueError(f"{where} must be one of {', '.join(LANGUAGES)}, not {value!r}")
    return value


KPI_NAMES_ZH = {
    "frt_seconds": "首次响应时间",
    "frt_business_seconds": "首次响应时间（工作时间）",
    "frt_attainment": "首次响应达标率",
    "aht_seconds": "平均处理时长",
    "fcr_rate": "首次解决率",
    "resolution_rate": "问题解决率",
    "reopen_rate": "重开率",
    "escalation_rate": "升级率",
    "complaint_rate": "投诉率",
    "complaint_escalation_compliance": "投诉24小时升级合规率",
    "complaint_feedback_48h": "投诉48小时内反馈率",
    "escalation_sla_attainment": "升级时效达标率",
    "resolution_sla_attainment": "解决时效达标率",
    "csat_rate": "客户满意度（4-5分占比）",
    "csat_mean": "客户满意度均分（1-5）",
    "nps": "净推荐值",
    "csat_speed_rate": "响应速度满意度（4-5分占比）",
    "csat_speed_mean": "响应速度满意度均分（1-5）",
    "csat_accuracy_rate": "解答准确性满意度（4-5分占比）",
    "csat_accuracy_mean": "解答准确性满意度均分（1-5）",
    "csat_attitude_rate": "服务态度满意度（4-5分占比）",
    "csat_attitude_mean": "服务态度满意度均分（1-5）",
    "csat_resolution_rate": "问题解决满意度（4-5分占比）",
    "csat_resolution_mean": "问题解决满意度均分（1-5）",
    "backlog": "积压工单数（未结工单）",
    "backlog_beyond_sla": "超出解决时限的积压占比",
    "net_flow": "净流量（新建 - 解决）",
    "sla_attainment": "SLA达标率",
    "sla_first_reply_attainment": "SLA首次回复达标率",
    "sla_next_reply_attainment": "SLA后续回复达标率",
    "sla_periodic_update_attainment": "SLA定期更新达标率",
    "sla_requester_wait_attainment": "SLA客户等待时间达标率",
    "sla_agent_work_attainment": "SLA坐席工作时间达标率",
    "sla_resolution_attainment": "SLA解决时间达标率",
    "sla_at_risk_rate": "SLA临近违约占比",
}

FORMULAS_ZH = {
    "frt_seconds": "∑首次响应时长 / 有首次回复的工单数；目标：各响应级别目标按工单数加权",
    "frt_business_seconds": "∑工作时间内的首次响应时长 / 按工作时间计时的有首次回复工单数",
    "frt_attainment": "在响应级别目标内首次回复的工单数 / 有目标的工单数",
    "aht_seconds": "∑处理时长 / 已解决工单数",
    "fcr_rate": "首次处理即解决的工单数 / 已过重开观察期的工单数",
    "resolution_rate": "已解决工单数 / 总工单数",
    "reopen_rate": "重开工单数 / 已解决工单数",
    "escalation_rate": "升级工单数 / 总工单数",
    "complaint_rate": "投诉次数 / 总工单数",
    "complaint_escalation_compliance": "24小时内升级的投诉 / 24小时未解决的投诉",
    "complaint_feedback_48h": "48小时内回复或解决的投诉 / 满48小时的投诉",
    "escalation_sla_attainment": "在级别升级时限内升级的L2/L3工单 / 时限到期时未解决的L2/L3工单",
    "resolution_sla_attainment": "在级别解决时限内解决的工单 / 解决时限已到期的工单",
    "csat_rate": "(5分+4分评价数) / 总评价数",
    "csat_mean": "∑总体评分 / 有总体评分的评价数",
    "nps": "100 ×（推荐者 - 贬损者）/ 回答推荐意愿的人数",
    "csat_speed_rate": "速度评4-5分的评价数 / 回答速度的评价数",
    "csat_speed_mean": "∑速度评分 / 回答速度的评价数",
    "csat_accuracy_rate": "准确性评4-5分的评价数 / 回答准确性的评价数",
    "csat_accuracy_mean": "∑准确性评分 / 回答准确性的评价数",
    "csat_attitude_rate": "态度评4-5分的评价数 / 回答态度的评价数",
    "csat_attitude_mean": "∑态度评分 / 回答态度的评价数",
    "csat_resolution_rate": "解决评4-5分的评价数 / 回答解决情况的评价数",
    "csat_resolution_mean": "∑解决评分 / 回答解决情况的评价数",
    "backlog": "周期最后一天结束时状态为新建/处理中/待回复/挂起的工单数",
    "backlog_beyond_sla": "周期最后一天结束时已超出其级别解决时限的未结工单 / 未结工单",
    "net_flow": "周期内新建工单数 - 周期内首次解决的工单数",
    "sla_attainment": "达成的SLA目标 / 已达成或已违约的SLA目标（全部SLA指标）",
    "sla_first_reply_attainment": "在SLA目标内首次回复 / 已达成或已违约的首次回复SLA",
    "sla_next_reply_attainment": "在SLA目标内后续回复 / 已达成或已违约的后续回复SLA",
    "sla_periodic_update_attainment": "在SLA目标内定期更新 / 已达成或已违约的定期更新SLA",
    "sla_requester_wait_attainment": "在SLA目标内的客户等待 / 已达成或已违约的客户等待SLA",
    "sla_agent_work_attainment": "在SLA目标内的坐席工作时间 / 已达成或已违约的坐席工作时间SLA",
    "sla_resolution_attainment": "在SLA目标内解决 / 已达成或已违约的解决SLA",
    "sla_at_risk_rate": "已用超过80%目标时间的未完成SLA / 未完成的SLA",
}

SOURCES_ZH = {"ticketing: ticket events": "工单系统：工单事件", "ticketing: tickets": "工单系统：工单",
              "ticketing: SLA metric events": "工单系统：SLA指标事件", "surveys": "满意度调研问卷",
              "ticketing: ticket events; schedules": "工单系统：工单事件；工作时间表"}  # fmt: skip


def period_label(period: Period, language: str) -> str:
    if language != "zh-CN":
        return period.label
    last = period.end - timedelta(days=1)
    if period.period_type == "month":
        return f"{period.start.year}年{period.start.month}月"
    if period.period_type == "week":
        year, week, _ = period.start.isocalendar()
        return f"{year}年第{week}周（{zh_day(period.start)} - {zh_day(last)}）"
    return f"{period.start.year}年第{(period.start.month - 1) // 3 + 1}季度"


def zh_day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def day_label(day: date, language: str) -> str:
    """A tick's day with its own month: "9 Mar", "3月9日"."""
    return zh_day(day) if language == "zh-CN" else f"{day.day} {day:%b}"


EN = {
    "title": "Customer-service service-level report: {period}",
    "html_title": "Service-level report, {period}",
    "meta": "Period {start} to {end} ({days} of {all_days} days with data; the published marts hold data up to "
    "{through}). Compared with the previous {period_type}, {previous}. Built {built} from the audited, "
    "published marts.",
    "period_type": {"week": "week", "month": "month", "quarter": "quarter"},
    "incomplete_period": "Incomplete period: {period} starts before the history start (CSKPI_HISTORY_START), so "
    "the marts hold only part of it. Its numbers are not a full {period_type}.",
    "partial_period": "Partial period: the published marts hold data up to {through}, so {period} is not over "
    "yet. Its numbers cover part of it.",
    "sources_off": "A source that is off is not configured and loaded nothing: the KPIs it feeds are empty.",
    "nav": [
        "1 Summary",
        "2 Scorecard",
        "3 Trends",
        "4 Comparisons",
        "5 Complaints",
        "6 Root causes",
        "7 Improvement plan",
        "Data quality",
    ],
    "summary": "1. Summary",
    "tiles": ["KPIs met their target", "KPIs missed their target", "tracked without a target"],
    "largest_gaps": "The largest gaps",
    "all_met": "Every KPI with a target met it.",
    "change_against": "Change against {previous}",
    "previous_incomplete": "{previous} is incomplete: it starts before the history start (CSKPI_HISTORY_START), "
    "so its values, and the changes against them, cover only part of it.",
    "change_line": "{kpi}: {actual} ({change}; previous {previous})",
    "no_previous": "No previous period in the published data.",
    "backlog_trend": "Backlog trend, open tickets at the end of each of the last {weeks} weeks: {values}. "
    "At the end of the last, {beyond} beyond their resolution time.",
    "met_list": "Met:",
    "scorecard": "2. Scorecard",
    "scorecard_note": "The measurement table, straight from rpt_kpi_scorecard. Each actual is sum(numerator) / "
    "sum(denominator) over the period's days; n is the denominator.",
    "print_formulas": "On paper, one line per KPI: each KPI's formula is in the HTML report and docs/kpi-definitions.md.",
    "scorecard_head": [
        "KPI",
        "Formula",
        "Source",
        "Target",
        "Actual",
        "n",
        "Status",
        "Previous",
        "Change",
        "Benchmark",
    ],
    "status": {"met": "met", "missed": "not met", "tracked": "tracked"},
    "data": "Data",
    "points": "{title}: {points} data points.",
    "trends": "3. Trends",
    "trends_note": "By ISO week, over the 26 weeks that end with the period; the dashed line is the target and "
    "the small numbers above each chart are each week's sample size n. A week that starts before the history "
    "start (CSKPI_HISTORY_START), or ends after the data's last day, holds only part of a week: it is drawn as "
    'a hollow grey point apart from the line and marked "incomplete" in the data.',
    "by_week": "{kpi} by week",
    "week_from": "week from",
    "comparisons": "4. Comparisons",
    "comparisons_note": "{period}. Each bar shows its value and its sample size n (tickets or survey answers). "
    "Bars on the wrong side of the target are drawn in amber; bars with n under {min_n} (min_sample_size in "
    'config/report.yaml) in grey: too few to judge, and left out of the "largest contributors".',
    "by_dimension": "{kpi} by {dimension}",
    "dimensions": {"team": "team", "channel": "channel", "category": "ticket category"},
    "small_n": " (small n)",
    "complaints": "5. Complaints",
    "complaint_rate_by_day": "Complaint rate by day",
    "day": "day",
    "complaint_rate": "complaint rate",
    "flagged_mark": " (flagged)",
    "incomplete_mark": " (incomplete)",
    "reasons_title": "Complaint reasons (ticket category), share of complaints",
    "reason": "reason",
    "share_of_complaints": "share of complaints",
    "flagged_days": "Days flagged by the volume anomaly check",
    "flagged_note": "A day's count against its trailing 28 days (the pipeline's volume_anomaly check, same rule).",
    "flagged_head": ["Day", "Measure", "Count", "Trailing mean", "z-score"],
    "measures": {"complaint_tickets": "complaints", "tickets_created": "tickets created"},
    "no_flagged": "No day of the period was flagged.",
    "root_causes": "6. Root causes",
    "root_causes_note": "For each KPI that missed its target, its shortfall split over ticket categories (survey "
    "KPIs: the category of the linked ticket). A category's contribution is (target - its actual) x its share "
    "of the KPI's denominator, or the reverse where lower is better; the contributions add up to the "
    "shortfall, so shares above 100 % mean other categories beat the target. From rpt_kpi_breakdown. "
    "Categories with n under {min_n} are grey.",
    "root_cause_title": "{kpi}: {actual} against a target of {target}, a shortfall of {shortfall}",
    "root_cause_head": [
        "Category",
        "n",
        "Share of the denominator",
        "Category's actual",
        "Contribution",
        "Share of the shortfall",
    ],
    "below_min": " (n < {min_n})",
    "no_missed": "No KPI missed its target.",
    "plan": "7. Improvement plan",
    "plan_note": "Actions, owners and due dates come from the improvement-plan file that managers edit. A KPI not "
    'met with no action in it is listed as "no action planned".',
    "plan_head": ["KPI not met", "Root cause", "Action", "Owner", "Due", "Resources", "How it will be verified"],
    "gap": "{actual} vs target {target}",
    "computed": "Computed:",
    "no_action": "no action planned",
    "overdue": " (past due at the period's end)",
    "nothing_to_plan": "Every KPI met its target: nothing to plan.",
    "actions_on_met": "Actions on KPIs that met their target this period",
    "action_on_met": "{kpi}: {action} ({owner}, due {due})",
    "largest_contributors": "Largest contributors: {causes}",
    "cause": "{value} ({share} of the shortfall)",
    "gap_sentence": "{kpi} was {actual}, {difference} {side} its target of {target}",
    "side": {"higher": "below", "lower": "above"},
    "trend_sentence": ", {word} the previous {period_type} ({previous})",
    "trend_words": {"better": "better than", "worse": "worse than", "same": "unchanged from"},
    "data_quality": "Data quality",
    "data_quality_note": "Tickets of {period} that count in some KPIs but not in others. A quarantined ticket has "
    "a value that cannot be right (a negative duration); it is left out of the KPI it would distort and still "
    "counts in volumes and every other KPI. A run fails when a KPI's share passes the reject threshold. A "
    "ticket not yet in a KPI is too young for it: the KPI's clock (the reopen window, 24 h, 48 h, the level's "
    "escalation or resolution time) had not run out at the data's newest event, so its outcome is not known "
    "yet; it counts once the clock runs out.",
    "quality_head": ["tickets", "count", "of", "share"],
    "sla_by_metric": "SLA attainment by metric",
    "sla_note": "Each SLA target of the period's tickets (fct_sla_daily): met, breached (whether fulfilled later "
    "or not) and still open; attainment = met / (met + breached); at risk: open with more than 80 % of a "
    "calendar-time target used. Source: {sources}.",
    "sla_head": ["SLA metric", "met", "breached", "attainment", "open", "at risk"],
    "sla_metrics": {
        "first_reply_time": "First reply",
        "next_reply_time": "Next reply",
        "periodic_update_time": "Periodic update",
        "pausable_update_time": "Pausable update",
        "requester_wait_time": "Requester wait",
        "agent_work_time": "Agent work time",
        "resolution_time": "Resolution",
    },
    "sla_sources": {"zendesk_sla": "Zendesk SLA policies", "response_level_targets": "response-level targets"},
    "footer": "KPI definitions, numerators and denominators follow the project's kpi-definitions.md; targets and "
    "benchmarks come from the seeds kpi_targets and industry_benchmarks. This file is self-contained: it loads "
    "nothing from a network and can be mailed or printed to PDF.",
    "page_footer": "Service-level report {period} · page",
    "print_root_causes": "On paper: the {shown} KPIs furthest from their target. The tables of the other {rest} "
    "KPIs not met are in the HTML report.",
    "print_unplanned": "Not met, with no action planned: {kpis}.",
    "list_separator": ", ",
    "league": "Agents (manager edition)",
    "league_note": "Staff data: this edition names agents and is for managers only. Agents ranked by the tickets "
    "solved in {period}. FRT counts the tickets an agent answered first; AHT, FCR and CSAT the tickets they held at "
    'the solve (kpi-definitions.md, "Agent attribution"). Agents with fewer than {min_n} solved tickets are grey.',
    "league_head": ("#", "Agent", "Team", "Solved (n)", "FRT (min)", "AHT (h)", "FCR", "CSAT", "CSAT n"),
    "no_agents": "No ticket of the period was attributed to an agent.",
    "edition_manager": "Manager edition: names agents (staff data).",
    "charts": {
        "actual": "actual",
        "incomplete_week": "incomplete week",
        "incomplete_day": "incomplete day",
        "small_sample": "n below {min_n}: too few to judge",
        "target": "target {value}",
        "complaint_rate": "complaint rate",
        "flagged": "flagged by the volume anomaly check",
        "n": "n",
    },
}

ZH = {
    "title": "客户服务水平报告：{period}",
    "html_title": "服务水平报告，{period}",
    "meta": "统计周期 {start} 至 {end}（{all_days} 天中 {days} 天有数据；已发布数据截至 {through}）。"
    "对比上一{period_type}：{previous}。生成于 {built}，数据来自已审核、已发布的数据集市。",
    "period_type": {"week": "周", "month": "月", "quarter": "季度"},
    "incomplete_period": "不完整周期：{period} 早于历史数据起始日（CSKPI_HISTORY_START），数据只覆盖其中一部分，"
    "不代表完整的一{period_type}。",
    "partial_period": "周期未结束：已发布数据截至 {through}，{period} 尚未结束，数据只覆盖其中一部分。",
    "sources_off": "已关闭的数据源未配置、未加载数据：其对应的指标为空。",
    "nav": ["1 概览", "2 服务水平测量指标表", "3 趋势", "4 对比", "5 投诉", "6 根因分析", "7 改进计划", "数据质量"],
    "summary": "1. 概览",
    "tiles": ["项指标达标", "项指标未达标", "项指标仅跟踪（无目标值）"],
    "largest_gaps": "差距最大的指标",
    "all_met": "所有设定目标值的指标均已达标。",
    "change_against": "与{previous}对比",
    "previous_incomplete": "{previous}不完整：早于历史数据起始日（CSKPI_HISTORY_START），其数值及与之对比的变化只覆盖部分时间。",
    "change_line": "{kpi}：{actual}（{change}；上期 {previous}）",
    "no_previous": "已发布数据中没有上一周期。",
    "backlog_trend": "积压趋势（近{weeks}周每周结束时的未结工单数）：{values}。最后一周结束时，{beyond}张已超出解决时限。",
    "met_list": "达标：",
    "scorecard": "2. 服务水平测量指标表",
    "scorecard_note": "测量指标表，直接取自 rpt_kpi_scorecard。实际值 = 周期内各天 ∑分子 / ∑分母；n 为分母（样本量）。",
    "print_formulas": "纸质版每项指标一行；各指标的计算公式见 HTML 报告和 docs/kpi-definitions.md。",
    "scorecard_head": [
        "指标名称",
        "计算公式",
        "数据来源",
        "目标值",
        "实际值",
        "n",
        "达标情况",
        "上期",
        "变化",
        "行业标杆",
    ],
    "status": {"met": "达标", "missed": "未达标", "tracked": "仅跟踪"},
    "data": "数据",
    "points": "{title}：{points} 个数据点。",
    "trends": "3. 趋势",
    "trends_note": "按 ISO 周，截至本周期的 26 周；虚线为目标值，图上方的小数字为每周样本量 n。"
    "早于历史数据起始日（CSKPI_HISTORY_START）开始、或晚于数据最后一天结束的周只含部分天数："
    "以空心灰点单独绘制，并在数据中标注“不完整”。",
    "by_week": "{kpi}（按周）",
    "week_from": "周起始日",
    "comparisons": "4. 对比",
    "comparisons_note": "{period}。每根柱标出数值和样本量 n（工单数或评价数）。未达目标的柱为琥珀色；"
    "n 小于 {min_n}（config/report.yaml 中的 min_sample_size）的柱为灰色：样本太少，不作判断，也不计入“主要原因”。",
    "by_dimension": "{kpi}（按{dimension}）",
    "dimensions": {"team": "团队", "channel": "渠道", "category": "工单类别"},
    "small_n": "（样本少）",
    "complaints": "5. 投诉",
    "complaint_rate_by_day": "投诉率（按天）",
    "day": "日期",
    "complaint_rate": "投诉率",
    "flagged_mark": "（异常）",
    "incomplete_mark": "（不完整）",
    "reasons_title": "投诉原因（工单类别）占投诉比例",
    "reason": "原因",
    "share_of_complaints": "占投诉比例",
    "flagged_days": "量级异常检测标记的日期",
    "flagged_note": "当天数量与其前 28 天对比（与数据管道的 volume_anomaly 检查规则相同）。",
    "flagged_head": ["日期", "度量", "数量", "前28天均值", "z 分数"],
    "measures": {"complaint_tickets": "投诉", "tickets_created": "新建工单"},
    "no_flagged": "本周期没有被标记的日期。",
    "root_causes": "6. 根因分析",
    "root_causes_note": "对每个未达标的指标，按工单类别拆分其差距（调研类指标：关联工单的类别）。"
    "某类别的贡献 = （目标值 - 该类别实际值）× 该类别占指标分母的比例（越低越好的指标反之）；各贡献之和等于差距，"
    "占比超过 100% 表示其他类别优于目标。数据来自 rpt_kpi_breakdown。n 小于 {min_n} 的类别为灰色。",
    "root_cause_title": "{kpi}：{actual}，目标值 {target}，差距 {shortfall}",
    "root_cause_head": ["类别", "n", "占分母比例", "类别实际值", "贡献", "占差距比例"],
    "below_min": "（n < {min_n}）",
    "no_missed": "没有未达标的指标。",
    "plan": "7. 改进计划",
    "plan_note": "改进措施、责任人和完成时间来自管理者维护的改进计划文件。未达标且没有措施的指标标为“未制定措施”。",
    "plan_head": ["未达标指标", "根因分析", "改进措施", "责任人", "完成时间", "所需资源", "验证方式"],
    "gap": "{actual}，目标值 {target}",
    "computed": "计算得出：",
    "no_action": "未制定措施",
    "overdue": "（周期结束时已逾期）",
    "nothing_to_plan": "所有指标均已达标：无需改进计划。",
    "actions_on_met": "本周期已达标指标上的措施",
    "action_on_met": "{kpi}：{action}（{owner}，{due} 前完成）",
    "largest_contributors": "主要原因：{causes}",
    "cause": "{value}（占差距 {share}）",
    "gap_sentence": "{kpi}为 {actual}，{side}目标值 {target}（差距 {difference}）",
    "side": {"higher": "低于", "lower": "高于"},
    "trend_sentence": "，{word}上一{period_type}（{previous}）",
    "trend_words": {"better": "好于", "worse": "差于", "same": "持平于"},
    "data_quality": "数据质量",
    "data_quality_note": "{period}中计入部分指标、未计入其他指标的工单。隔离的工单含有不可能的数值（负的时长）："
    "它不计入会被其扭曲的指标，仍计入工单量和其他所有指标。某指标的隔离比例超过拒收阈值时，运行失败。"
    "尚未计入某指标的工单还太新：该指标的计时（重开观察期、24 小时、48 小时、级别的升级或解决时限）在数据最新事件时尚未结束，"
    "结果未知；计时结束后计入。",
    "quality_head": ["工单", "数量", "基数", "比例"],
    "sla_by_metric": "各SLA指标达标情况",
    "sla_note": "本期工单的每个SLA目标（fct_sla_daily）：达成、违约（无论之后是否完成）与尚未完成；达标率 = 达成 / "
    "（达成 + 违约）；临近违约：未完成且已用超过80%日历时间目标。来源：{sources}。",
    "sla_head": ["SLA指标", "达成", "违约", "达标率", "未完成", "临近违约"],
    "sla_metrics": {
        "first_reply_time": "首次回复",
        "next_reply_time": "后续回复",
        "periodic_update_time": "定期更新",
        "pausable_update_time": "可暂停更新",
        "requester_wait_time": "客户等待时间",
        "agent_work_time": "坐席工作时间",
        "resolution_time": "解决时间",
    },
    "sla_sources": {"zendesk_sla": "Zendesk SLA策略", "response_level_targets": "响应级别目标"},
    "footer": "指标定义、分子与分母遵循项目的 kpi-definitions.md；目标值和行业标杆来自 kpi_targets 和 industry_benchmarks "
    "种子表。本文件自包含：不从网络加载任何内容，可邮寄或打印为 PDF。",
    "page_footer": "服务水平报告 {period} · 第",
    "print_root_causes": "纸质版只列出离目标最远的 {shown} 项指标；其余 {rest} 项未达标指标的表格见 HTML 报告。",
    "print_unplanned": "未达标且未制定措施：{kpis}。",
    "list_separator": "、",
    "league": "客服人员（管理版）",
    "league_note": "员工数据：此版本列出客服人员姓名，仅供管理者阅读。按{period}解决的工单数排序。首次响应时间按其首先回复的工单计算；"
    "平均处理时长、首次解决率和满意度按解决时由其负责的工单计算（kpi-definitions.md，“Agent attribution”）。解决工单少于 {min_n} 张的人员以灰色显示。",
    "league_head": (
        "#",
        "客服人员",
        "团队",
        "解决数（n）",
        "首次响应时间（分钟）",
        "平均处理时长（小时）",
        "首次解决率",
        "满意度",
        "满意度 n",
    ),
    "no_agents": "本期没有归属到客服人员的工单。",
    "edition_manager": "管理版：列出客服人员姓名（员工数据）。",
    "charts": {
        "actual": "实际值",
        "incomplete_week": "不完整的周",
        "incomplete_day": "不完整的日",
        "small_sample": "n 小于 {min_n}：样本太少",
        "target": "目标值 {value}",
        "complaint_rate": "投诉率",
        "flagged": "量级异常检测标记",
        "n": "n",
    },
}

# The data-quality note's lines, by their English label (data.QUALITY_LINES)
QUALITY_ZH = {
    "Excluded from every KPI (spam, deleted, test, merged)": ("不计入任何指标（垃圾、已删除、测试、已合并）", "工单"),
    "Left out of AHT: solved before their first assignment (negative handle time)":
        ("不计入平均处理时长：首次分配前已解决（处理时长为负）", "有处理时长的工单"),
    "Left out of FRT and FRT attainment: first reply before creation":
        ("不计入首次响应时间及达标率：首次回复早于创建", "有首次回复的工单"),
    "Not yet in FCR: still inside the reopen window": ("尚未计入首次解决率：仍在重开观察期内", "工单"),
    "Not yet in complaint escalation compliance: complaints under 24 h old":
        ("尚未计入投诉升级合规率：不足 24 小时的投诉", "投诉"),
    "Not yet in complaint feedback within 48 h: complaints under 48 h old":
        ("尚未计入投诉48小时内反馈率：不足 48 小时的投诉", "投诉"),
    "Not yet in the escalation SLA: L2/L3 tickets younger than their escalation time":
        ("尚未计入升级时效：未到升级时限的 L2/L3 工单", "工单"),
    "Not yet in the resolution SLA: tickets younger than their resolution time":
        ("尚未计入解决时效：未到解决时限的工单", "有解决时限的工单"),
}  # fmt: skip

TEXTS = {"en": EN, "zh-CN": ZH}
