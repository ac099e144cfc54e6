"""Korean labels and display formatting: won with thousands separators, counts, dates.

Plain functions from the query frames of `remedy.dashboard.queries` to the frames and
strings a page shows, so the page logic is tested without Streamlit or a browser. The
labels are presentation only; codes, rules and program dates come from the marts.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from remedy.explain import RULE_NAMES, code, reward_outcome, reward_which

LABELS: dict[str, dict[str, str]] = {
    "stage": {
        "terminated": "해지 (면제 모집단)",
        "eligible": "면제 대상",
        "applied": "환급 신청",
        "scheduled": "환급 예정",
    },
    "waiver_status": {
        "eligible": "면제 대상",
        "eligible_no_penalty": "대상 (위약금 없음)",
        "excluded": "제외",
    },
    "assignment_status": {
        "scheduled": "환급 예정",
        "manual_review": "수동 검토",
        "not_applied": "미신청",
    },
    "review_reason": {
        "account_holder_mismatch": "예금주 불일치",
        "hardship_extension": "군복무·해외체류 연장",
        "late_application": "기한 후 신청",
    },
    "outcome": {
        "accepted": "접수",
        "duplicate": "중복",
        "before_window": "접수 기간 전",
        "not_eligible": "면제 대상 아님",
        "unknown_line": "확인 불가 회선",
        "manual_review": "수동 검토",
    },
    "channel": {
        "web": "웹",
        "call_center": "고객센터",
        "store": "매장",
    },
    "benefit": {
        "data_bonus": "데이터 보너스",
        "roaming_bonus": "로밍 데이터",
        "ott_voucher": "OTT 이용권",
        "membership_discount": "멤버십 할인",
        "safety_insurance": "안심 보험",
    },
    "unit": {
        "GB": "GB",
        "MB": "MB",
        "voucher": "장",
        "membership": "건",
        "policy": "건",
    },
    "cutoff": {
        "window_open": "신청 시작",
        "window_close": "신청 마감",
        "wave_end": "차 신청 마감",
    },
}

MISSING = "–"


def label(kind: str, code: object) -> str:
    """The Korean label of a code, the code itself when it has none, a dash for null."""
    if _is_missing(code):
        return MISSING
    return LABELS.get(kind, {}).get(str(code), str(code))


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def won(amount: object) -> str:
    """Whole won with thousands separators: 1234567 -> '1,234,567원'."""
    if _is_missing(amount):
        return MISSING
    return f"{int(amount):,}원"


def count(value: object, unit: str = "") -> str:
    """A count with thousands separators and an optional Korean unit: '1,234건'."""
    if _is_missing(value):
        return MISSING
    return f"{int(value):,}{unit}"


def day(value: object) -> str:
    if _is_missing(value):
        return MISSING
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def minute(value: object) -> str:
    if _is_missing(value):
        return MISSING
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def wave(value: object) -> str:
    if _is_missing(value):
        return MISSING
    return f"{int(value)}차"


def cohort(waves: str) -> str:
    """Funnel cohort label: '1,2' -> '1·2차', 'all' -> '전체'."""
    if waves == "all":
        return "전체"
    if waves == "none":
        return "차수 없음"
    return "·".join(waves.split(",")) + "차"


def funnel_table(funnel: pd.DataFrame) -> pd.DataFrame:
    """One row per cohort and stage, with the share of the cohort's population."""
    population = funnel[funnel["stage"] == "terminated"].set_index("cohort")["lines"]
    rows = []
    for item in funnel.itertuples(index=False):
        total = int(population.get(item.cohort, 0))
        share = f"{item.lines / total:.1%}" if total else MISSING
        rows.append({
            "차수": cohort(item.cohort),
            "단계": label("stage", item.stage),
            "회선": count(item.lines),
            "모집단 대비": share,
            "면제 위약금 청구액": won(item.waivable_billed_krw),
            "기납부액 (환급 대상)": won(item.waivable_paid_krw),
        })
    return pd.DataFrame(rows)


def wave_calendar_table(calendar: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame([
        {
            "차수": wave(item.refund_wave),
            "지급일": day(item.payout_date),
            "해지일": f"{day(item.terminated_from_date)} ~ {day(item.terminated_to_date)}",
            "신청 시각": (
                f"{minute(item.applied_from_kst)} ~ "
                + (f"{minute(item.applied_before_kst)} 전" if not _is_missing(
                    item.applied_before_kst) else f"{minute(item.application_window_end_kst)}")
            ),
        }
        for item in calendar.itertuples(index=False)
    ])


def cutoff_label(kind: str, refund_wave: object) -> str:
    if kind == "wave_end":
        return f"{int(refund_wave)}{label('cutoff', kind)}"
    return label("cutoff", kind)


def refunds_table(refunds: pd.DataFrame) -> pd.DataFrame:
    """Per wave and channel, then a subtotal per wave and a grand total."""
    rows = []
    for (refund_wave, payout_date), group in refunds.groupby(
        ["refund_wave", "payout_date"], sort=True
    ):
        for item in group.itertuples(index=False):
            rows.append(_refund_row(wave(refund_wave), day(payout_date),
                                    label("channel", item.channel), item.lines,
                                    item.refund_krw, item.cancel_krw))
        rows.append(_refund_row(wave(refund_wave), day(payout_date), "소계",
                                group["lines"].sum(), group["refund_krw"].sum(),
                                group["cancel_krw"].sum()))
    rows.append(_refund_row("합계", MISSING, MISSING, refunds["lines"].sum(),
                            refunds["refund_krw"].sum(), refunds["cancel_krw"].sum()))
    return pd.DataFrame(rows)


def _refund_row(refund_wave: str, payout: str, channel: str, lines: object,
                refund_krw: object, cancel_krw: object) -> dict[str, str]:
    return {
        "차수": refund_wave,
        "지급일": payout,
        "신청 경로": channel,
        "회선": count(lines),
        "환급액": won(refund_krw),
        "청구 취소액": won(cancel_krw),
    }


def review_summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame([
        {
            "검토 사유": label("review_reason", item.review_reason),
            "회선": count(item.lines),
            "환급 대기액": won(item.refund_krw),
            "청구 취소 대기액": won(item.cancel_krw),
        }
        for item in summary.itertuples(index=False)
    ])


def review_queue_table(queue: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame([
        {
            "회선": item.line_id,
            "신청": item.application_id,
            "경로": label("channel", item.channel),
            "신청 시각": minute(item.applied_at_kst),
            "검토 사유": label("review_reason", item.review_reason),
            "환급액": won(item.refund_krw),
            "청구 취소액": won(item.cancel_krw),
        }
        for item in queue.itertuples(index=False)
    ], columns=["회선", "신청", "경로", "신청 시각", "검토 사유", "환급액", "청구 취소액"])


def rewards_table(rewards: pd.DataFrame, value: str) -> pd.DataFrame:
    """Benefits down, months across; `value` is entitlement_count or total_quantity
    (the latter carries each benefit's unit)."""
    if rewards.empty:
        return pd.DataFrame()
    frame = rewards.assign(
        month=pd.to_datetime(rewards["entitlement_month"]).dt.strftime("%Y-%m"),
        benefit_label=[
            f"{label('benefit', benefit)} ({label('unit', unit)})" if value == "total_quantity"
            else label("benefit", benefit)
            for benefit, unit in zip(rewards["benefit"], rewards["unit"], strict=True)
        ],
    )
    pivot = frame.pivot_table(index="benefit_label", columns="month", values=value,
                              aggfunc="sum", fill_value=0)
    pivot["합계"] = pivot.sum(axis=1)
    shown = pivot.map(lambda number: count(number))
    shown.index.name = "혜택"
    shown.columns.name = None
    return shown.reset_index()


INTEGRITY_STATUS = {True: "통과", False: "실패"}
FINDING_STATUS = {True: "허용 범위 내", False: "허용 범위 초과"}
# What a finding's two figures are (expected, actual), so its row reads as counts and amounts.
FINDING_FIGURES: dict[str, tuple[str, str]] = {
    "penalty_billing__lines_agreeing": ("비교 회선", "산식과 일치"),
    "penalty_billing__waivable_krw": ("산식 (P1-P3)", "청구"),
}


def _figure(check_name: str, value, what: str | None = None) -> str:
    if _is_missing(value):
        return MISSING
    shown = won(value) if check_name.endswith("_krw") else count(value)
    return f"{what} {shown}" if what else shown


def _difference(check_name: str, value) -> str:
    if _is_missing(value):
        return MISSING
    return f"{int(value):+,}" + ("원" if check_name.endswith("_krw") else "")


def reconciliation_table(controls: pd.DataFrame, severity: str = "integrity") -> pd.DataFrame:
    """One severity's controls: integrity controls pass or fail; findings are within or
    outside their tolerance, and each figure says what it counts."""
    rows = controls[controls["severity"] == severity]
    status = FINDING_STATUS if severity == "finding" else INTEGRITY_STATUS
    table = []
    for item in rows.itertuples(index=False):
        expected_what, actual_what = (FINDING_FIGURES.get(item.check_name, (None, None))
                                      if severity == "finding" else (None, None))
        table.append({
            "상태": status[bool(item.passed)],
            "통제 항목": item.check_name,
            "기대값": _figure(item.check_name, item.expected, expected_what),
            "실제값": _figure(item.check_name, item.actual, actual_what),
            "차이": _difference(item.check_name, item.difference),
        })
    return pd.DataFrame(table, columns=["상태", "통제 항목", "기대값", "실제값", "차이"])


def build_label(mtime_ns: int) -> str:
    """When the published build was swapped in, in KST."""
    kst = dt.timezone(dt.timedelta(hours=9))
    moment = dt.datetime.fromtimestamp(mtime_ns / 1e9, tz=kst)
    return moment.strftime("%Y-%m-%d %H:%M:%S KST")


# --- line lookup (상담 조회): tables of one line's explanation (remedy.explain) ----------


def lookup_tests_table(waiver: dict) -> pd.DataFrame:
    """The eight W2 tests of a line in precedence order, with their evidence."""
    evidence = {
        "W2.1": waiver["line"]["mvno_brand"] and f"브랜드 {waiver['line']['mvno_brand']}",
        "W2.2": code(waiver["line"]["line_class"], "ko"),
        "W2.3": code(waiver["line"]["payment_type"], "ko"),
        "W2.4": code(waiver["termination"]["type"], "ko"),
        "W2.5": f"개통 {waiver['activation']['at_kst'] or MISSING}"
                + (" (개통 이벤트 기준)" if waiver["activation"]["event_overrode_lines"] else ""),
        "W2.6": waiver["device_change"] and (
            f"{waiver['device_change']['event_id']} {waiver['device_change']['at_kst']}"),
        "W2.7": waiver["recontract"] and (
            f"{waiver['recontract']['event_id']} {waiver['recontract']['at_kst']}"),
        "W2.8": waiver["rejoined_line"] and (
            f"{waiver['rejoined_line']['line_id']} "
            f"({waiver['rejoined_line']['activated_at_kst']} 개통)"),
    }
    return pd.DataFrame([
        {
            "규칙": test["rule_id"],
            "제외 사유": code(test["reason"], "ko"),
            "결과": "해당" if test["applies"] else "해당 없음",
            "근거": evidence.get(test["rule_id"]) or MISSING,
        }
        for test in waiver["tests"]
    ], columns=["규칙", "제외 사유", "결과", "근거"])


def lookup_penalty_table(penalty: dict) -> pd.DataFrame:
    """P2/P3 per component: the warehouse's arithmetic next to billing and payment."""
    return pd.DataFrame([
        {
            "항목": code(component["component"], "ko"),
            "계산 (P)": won(component["expected_krw"]),
            "청구": won(component["billed_krw"]),
            "납부": won(component["paid_krw"]),
            "일치": "일치" if component["matches"] else "불일치",
        }
        for component in penalty["components"]
    ], columns=["항목", "계산 (P)", "청구", "납부", "일치"])


def lookup_applications_table(applications: list[dict]) -> pd.DataFrame:
    """Every refund application of the line with its A6 outcome and the reason."""
    return pd.DataFrame([
        {
            "신청": item["application_id"],
            "경로": label("channel", item["channel"]),
            "신청 시각": minute(item["applied_at_kst"]),
            "시점": code(item.get("timing"), "ko"),
            "결과": label("outcome", item["outcome"]),
            "사유": code(item.get("outcome_reason") or item.get("review_reason"), "ko"),
        }
        for item in applications
    ], columns=["신청", "경로", "신청 시각", "시점", "결과", "사유"])


def lookup_rewards_table(rewards: list[dict]) -> pd.DataFrame:
    """Every reward decision of the line (R2-R5), granted or not, with the reason."""
    return pd.DataFrame([
        {
            "혜택": label("benefit", reward["benefit"]) + reward_which(reward),
            "결과": "지급" if reward["granted"] else "미지급",
            "사유": reward_outcome(reward, "ko"),
        }
        for reward in rewards
    ], columns=["혜택", "결과", "사유"])


def lookup_trace_table(rule_trace: list[dict]) -> pd.DataFrame:
    """The rule trace in rule order: rule, its Korean name, outcome and the facts seen."""
    return pd.DataFrame([
        {
            "규칙": step["rule_id"],
            "내용": RULE_NAMES["ko"].get(step["rule_id"], ""),
            "결과": code(step["outcome"], "ko"),
            "근거": step["detail"],
        }
        for step in rule_trace
    ], columns=["규칙", "내용", "결과", "근거"])
