"""`remedy explain LINE_ID`: why a line got what it got, from the published marts only.

`explain_line` gathers, for one line id, its waiver determination
(main.fct_waiver_determinations, with the rule trace), its refund assignment and
applications, the unclaimed register, its P5 lookup answer (main.fct_penalty_lookup), and
every reward decision of the line - granted or not, with the reason - and the insurance of
its customer. Rewards come from three published places: what was granted
(main.fct_reward_entitlements), what was asked for or scheduled and not granted
(main.fct_reward_determinations), and what follows from the line or customer alone (the R1
gate and the class exclusions in main.dim_lines, the insurance age and type in
main.dim_customers). The result is plain data (JSON-ready: dates and times as ISO text);
`format_text` lays it out for a person in Korean (default) or English. Nothing here reads
anything but schema `main`, so the same published build always gives the same explanation.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from typing import Any

import duckdb

Connection = duckdb.DuckDBPyConnection
LANGUAGES = ("ko", "en")

W2_RULES = {
    "W2.1": "mvno", "W2.2": "iot_or_special", "W2.3": "prepaid",
    "W2.4": "forced_termination", "W2.5": "new_since_base_date",
    "W2.6": "device_change_since_base_date", "W2.7": "recontract_since_base_date",
    "W2.8": "rejoined",
}
W2_FLAGS = {
    "W2.1": "is_mvno", "W2.2": "is_iot_or_special", "W2.3": "is_prepaid",
    "W2.4": "is_forced_termination", "W2.5": "is_new_since_base_date",
    "W2.6": "has_device_change_since_base_date",
    "W2.7": "has_recontract_since_base_date", "W2.8": "has_rejoined",
}


class UnknownLine(LookupError):
    """No published mart knows the line id."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value)
    if isinstance(value, Mapping):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def _rows(con: Connection, sql: str, params: list) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [_jsonable(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def _one(con: Connection, sql: str, params: list) -> dict[str, Any] | None:
    rows = _rows(con, sql, params)
    return rows[0] if rows else None


def _waiver(row: dict[str, Any]) -> dict[str, Any]:
    tests = []
    for rule_id, reason in W2_RULES.items():
        tests.append({"rule_id": rule_id, "reason": reason,
                      "applies": bool(row[W2_FLAGS[rule_id]])})
    components = [
        {"component": "subsidy_clawback", "expected_krw": row["expected_subsidy_clawback_krw"],
         "billed_krw": row["billed_subsidy_clawback_krw"],
         "paid_krw": row["paid_subsidy_clawback_krw"],
         "matches": row["is_subsidy_clawback_matched"]},
        {"component": "selective_discount_clawback",
         "expected_krw": row["expected_selective_discount_clawback_krw"],
         "billed_krw": row["billed_selective_discount_clawback_krw"],
         "paid_krw": row["paid_selective_discount_clawback_krw"],
         "matches": row["is_selective_discount_clawback_matched"]},
    ]
    return {
        "status": row["waiver_status"],
        "exclusion_reason": row["exclusion_reason"],
        "exclusion_reasons": row["exclusion_reasons"],
        "decided_by": row["waiver_decided_by"],
        "termination": {
            "event_id": row["termination_event_id"], "type": row["termination_type"],
            "at_kst": row["terminated_at_kst"], "date": row["terminated_date"],
        },
        "line": {"network": row["network"], "mvno_brand": row["mvno_brand"],
                 "line_class": row["line_class"], "payment_type": row["payment_type"]},
        "activation": {
            "at_kst": row["activated_at_kst"],
            "lines_activated_at_kst": row["line_activated_at_kst"],
            "event_overrode_lines": row["has_activation_mismatch"],
            "base_cutoff_kst": row["base_cutoff_kst"],
        },
        "device_change": _event(row, "device_change_event_id", "device_change_at_kst"),
        "recontract": _event(row, "recontract_event_id", "recontract_at_kst"),
        "rejoined_line": None if row["rejoined_line_id"] is None else {
            "line_id": row["rejoined_line_id"],
            "activated_at_kst": row["rejoined_activated_at_kst"],
        },
        "tests": tests,
        "penalty": {
            "agreement": None if row["agreement_id"] is None else {
                "agreement_id": row["agreement_id"], "type": row["agreement_type"],
                "subsidy_krw": row["subsidy_krw"],
                "monthly_discount_krw": row["monthly_discount_krw"],
            },
            "arithmetic": {
                "D": row["terminated_date"], "S": row["agreement_start_date"],
                "T": row["term_months"], "E": row["agreement_end_date"],
                "C": row["contract_days"], "U": row["days_used"],
                "R": row["remaining_days"] if row["agreement_id"] else None,
                "G": row["grace_days"], "basis": row["penalty_basis"],
            },
            "components": components,
            "expected_waivable_penalty_krw": row["expected_waivable_penalty_krw"],
            "waivable_billed_krw": row["waivable_billed_krw"],
            "waivable_paid_krw": row["waivable_paid_krw"],
            "matches": row["is_waivable_penalty_matched"],
            "charges": row["penalty_charges"],
        },
        "rule_trace": row["rule_trace"],
    }


def _event(row: dict[str, Any], id_column: str, at_column: str) -> dict[str, Any] | None:
    if row[id_column] is None:
        return None
    return {"event_id": row[id_column], "at_kst": row[at_column]}


def _refund(row: dict[str, Any], unclaimed: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "assignment_status": row["assignment_status"],
        "review_reason": row["review_reason"],
        "decided_by": row["assignment_decided_by"],
        "refund_wave": row["refund_wave"],
        "payout_date": row["payout_date"],
        "refund_krw": row["refund_krw"],
        "cancel_krw": row["cancel_krw"],
        "remediation_state": row["remediation_state"],
        "application_id": row["application_id"],
        "channel": row["channel"],
        "applied_at_kst": row["applied_at_kst"],
        "wave_rule": None if row["refund_wave"] is None else {
            "terminated_from_date": row["wave_terminated_from_date"],
            "terminated_to_date": row["wave_terminated_to_date"],
            "applied_from_kst": row["wave_applied_from_kst"],
            "applied_before_kst": row["wave_applied_before_kst"],
            "application_window_end_kst": row["application_window_end_kst"],
        },
        "application_window": {"start_kst": row["application_window_start_kst"],
                               "end_kst": row["application_window_end_kst"]},
        "applications": row["applications"],
        "reminders": {"sent": row["reminders_sent"], "dates": row["reminder_dates"]},
        "unclaimed": None if unclaimed is None else {
            "refund_krw": unclaimed["refund_krw"],
            "is_window_closed": unclaimed["is_window_closed"],
            "data_as_of_kst": unclaimed["data_as_of_kst"],
            "before_window_applications": unclaimed["before_window_applications"],
        },
    }


REWARD_RULES = {"reward_population": "R1", "data_bonus": "R2", "roaming_bonus": "R3",
                "ott_voucher": "R4", "membership_discount": "R5", "safety_insurance": "R6"}
# The reason a granted entitlement was granted (R6: its `detail`, auto or application).
GRANTED_REASONS = {"data_bonus": "in_service_at_grant", "roaming_bonus": "in_service_in_window",
                   "ott_voucher": "first_valid_choice", "membership_discount": "population_line"}
INSURANCE_REASONS = {"auto": "auto_enrolled_by_age", "application": "applied"}


def _reward(benefit: str, granted: bool, reason: str, **facts: Any) -> dict[str, Any]:
    """One reward decision in the JSON shape of `rewards` (keys absent from facts: null)."""
    reward = {"rule_id": REWARD_RULES[benefit], "benefit": benefit, "granted": granted,
              "reason": reason}
    for key in ("grant_number", "purchase_id", "request_id", "period_start", "period_end",
                "quantity", "unit", "detail", "checked_at_kst"):
        reward[key] = facts.get(key)
    return reward


def _granted(row: dict[str, Any], **facts: Any) -> dict[str, Any]:
    """An entitlement of fct_reward_entitlements as a granted decision."""
    benefit = row["benefit"]
    reason = (INSURANCE_REASONS.get(row["detail"], row["detail"])
              if benefit == "safety_insurance" else GRANTED_REASONS[benefit])
    return _reward(benefit, True, reason, period_start=row["period_start"],
                   period_end=row["period_end"], quantity=row["quantity"], unit=row["unit"],
                   detail=row["detail"], **facts)


def _not_granted(row: dict[str, Any]) -> dict[str, Any]:
    """A determination of fct_reward_determinations (it granted nothing)."""
    return _reward(row["benefit"], False, row["reason"], grant_number=row["grant_number"],
                   purchase_id=row["request_id"] if row["benefit"] == "roaming_bonus" else None,
                   request_id=row["request_id"], period_start=row["period_start"],
                   period_end=row["period_end"], detail=row["detail"],
                   checked_at_kst=row["checked_at_kst"])


def _by_benefit(rows: list[dict[str, Any]], benefit: str) -> list[dict[str, Any]]:
    return [row for row in rows if row["benefit"] == benefit]


def _line_rewards(line: dict[str, Any] | None, granted: list[dict[str, Any]],
                  not_granted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every reward decision of a line, R2-R5 in rule order.

    A population line gets one decision per data grant (R2), per roaming pass (R3), one for
    the OTT voucher (R4) and one for the membership (R5); a class exclusion (dim_lines) is
    one decision per benefit. A line outside the population has only its turned-down
    requests (passes, choices), whose reason says so.
    """
    if line is None or not line["is_reward_population"]:
        return [_not_granted(row) for row in not_granted]
    iot_or_special = line["is_iot_or_special"]
    rewards: list[dict[str, Any]] = []
    excluded_from_data = "iot_or_special" if iot_or_special else (
        "prepaid" if line["is_prepaid"] else None)
    if excluded_from_data:
        rewards.append(_reward("data_bonus", False, excluded_from_data))
    else:
        data = [(row["period_start"], True, row) for row in _by_benefit(granted, "data_bonus")]
        data += [(row["period_start"], False, row)
                 for row in _by_benefit(not_granted, "data_bonus")]
        # grant_number: the grant's place among the line's grants (every scheduled grant of
        # a data-eligible population line is an entitlement or a missed grant)
        for number, (day, is_granted, row) in enumerate(sorted(data, key=lambda item: item[0]),
                                                        start=1):
            rewards.append(_granted(row, grant_number=number, checked_at_kst=f"{day} 00:00:00")
                           if is_granted else _not_granted(row))
    passes = [(row["period_start"], row["detail"], _granted(row, purchase_id=row["detail"],
                                                             request_id=row["detail"]))
              for row in _by_benefit(granted, "roaming_bonus")]
    passes += [(row["period_start"], row["request_id"], _not_granted(row))
               for row in _by_benefit(not_granted, "roaming_bonus")]
    rewards += [reward for *_, reward in sorted(passes, key=lambda item: item[:2])]
    rewards.append(_ott_voucher(iot_or_special, granted, not_granted))
    membership = _by_benefit(granted, "membership_discount")
    if iot_or_special or not membership:
        rewards.append(_reward("membership_discount", False, "iot_or_special"))
    else:
        rewards.append(_granted(membership[0],
                                checked_at_kst=line["reward_population_as_of_kst"]))
    return rewards


def _ott_voucher(iot_or_special: bool, granted: list[dict[str, Any]],
                 not_granted: list[dict[str, Any]]) -> dict[str, Any]:
    """R4 for a population line: the voucher, else the first choice's rejection (with its
    service), else the class exclusion, else no choice."""
    voucher = _by_benefit(granted, "ott_voucher")
    if voucher:
        return _granted(voucher[0])
    if iot_or_special:
        return _reward("ott_voucher", False, "iot_or_special")
    choices = sorted(_by_benefit(not_granted, "ott_voucher"),
                     key=lambda row: (row["checked_at_kst"], row["request_id"]))
    if choices:
        return _not_granted(choices[0])
    return _reward("ott_voucher", False, "no_choice")


def _insurance(con: Connection, customer_id: str | None) -> dict[str, Any] | None:
    """R6 for the line's customer: the policy, else why not (dim_customers); None when the
    customer holds no population line (R6 does not apply)."""
    if customer_id is None:
        return None
    policy = _one(con, "select * from main.fct_reward_entitlements "
                       "where benefit = 'safety_insurance' and customer_id = ?", [customer_id])
    if policy is not None:
        return _granted(policy)
    customer = _one(con, """
        select customers.customer_type, customers.age_band,
            bool_or(lines.is_reward_population) as has_population_line
        from main.dim_customers as customers
        inner join main.dim_lines as lines
            on customers.customer_id = lines.customer_id
        where customers.customer_id = ?
        group by 1, 2
    """, [customer_id])
    if customer is None or not customer["has_population_line"]:
        return None
    if customer["customer_type"] == "business":
        reason = "business_customer"
    elif customer["age_band"] is None:
        reason = "no_birth_date_no_application"
    else:
        reason = "under_auto_age_no_application"
    return _reward("safety_insurance", False, reason, unit="policy")


def _population(line: dict[str, Any]) -> dict[str, Any]:
    return _reward("reward_population", bool(line["is_reward_population"]),
                   line["reward_population_reason"],
                   checked_at_kst=line["reward_population_as_of_kst"])


def explain_line(con: Connection, line_id: str) -> dict[str, Any]:
    """Everything the published marts say about one line; raises UnknownLine when none
    of them knows it (the message says whether applications named it)."""
    line = _one(con, "select * from main.dim_lines where line_id = ?", [line_id])
    determination = _one(con, "select * from main.fct_waiver_determinations "
                              "where line_id = ?", [line_id])
    lookup = _one(con, "select * from main.fct_penalty_lookup where line_id = ?", [line_id])
    applications = _rows(con, """
        select application_id, channel, applied_at_kst, outcome, review_reason
        from main.fct_refund_application_outcomes
        where line_id = ?
        order by applied_at_kst, application_id
    """, [line_id])
    if line is None and determination is None and lookup is None:
        raise UnknownLine(_unknown_message(line_id, applications))
    granted = _rows(con, """
        select * from main.fct_reward_entitlements
        where line_id = ?
        order by benefit, period_start, detail
    """, [line_id])
    not_granted = _rows(con, """
        select * from main.fct_reward_determinations
        where line_id = ?
        order by rule_id, grant_number nulls first, checked_at_kst, request_id
    """, [line_id])
    customer_id = (line or determination or {}).get("customer_id")
    unclaimed = _one(con, "select * from main.fct_unclaimed_refunds where line_id = ?",
                     [line_id])
    lookup_as_of = con.execute("select max(as_of_date) from main.fct_penalty_lookup").fetchone()
    return {
        "line_id": line_id,
        "customer_id": customer_id,
        "lookup_as_of_date": _jsonable(lookup_as_of[0]) if lookup_as_of else None,
        "waiver": None if determination is None else _waiver(determination),
        "refund": None if determination is None or determination["assignment_status"] is None
        else _refund(determination, unclaimed),
        "applications": applications,
        "lookup": lookup,
        "reward_population": None if line is None else _population(line),
        "rewards": _line_rewards(line, granted, not_granted),
        "insurance": _insurance(con, customer_id),
    }


def _unknown_message(line_id: str, applications: list[dict[str, Any]]) -> str:
    message = (f"line {line_id!r} is not in the published marts (no line in dim_lines, no "
               "waiver determination or lookup row): check the id; a line whose landing "
               "rows were quarantined is not published")
    if applications:
        message += (f"; {len(applications)} refund application(s) named it and were "
                    "rejected as unknown_line")
    return message


# --- text for a person ---------------------------------------------------------------------

TEXT: dict[str, dict[str, str]] = {
    "ko": {
        "title": "회선 {line_id} 설명 (고객 {customer_id})",
        "waiver": "위약금 면제 (W1-W4)",
        "not_in_waiver": "면제 모집단 아님: 면제 기간 안에 해지된 회선이 아님 (W1)",
        "status_line": "판정: {status} — 결정 규칙 {rule}",
        "termination": "해지 이벤트: {type} {at} KST ({event_id})",
        "activation": "개통: {at} KST{override}",
        "override": " (개통 이벤트 기준, 회선 정보의 {line_at}을(를) 대체)",
        "tests": "제외 사유 점검 (W2, 우선순위 순):",
        "applies": "해당", "does_not_apply": "해당 없음",
        "device_change": "기기변경 이벤트 {event_id} ({at} KST)",
        "recontract": "재약정 이벤트 {event_id} ({at} KST)",
        "rejoined": "재가입 회선 {line_id} ({at} KST 개통)",
        "penalty": "위약금 계산 (P1-P3, 해지일 D = {d}):",
        "no_agreement": "    적용 약정 없음: 계산 위약금 0원",
        "agreement": "    약정 {agreement_id}: {type}, {S}부터 {T}개월 (E {E}, C {C}일, U {U}일, "
                     "R {R}일, G {G}일, 산식 {basis})",
        "component": "    {component}: 계산 {expected} · 청구 {billed} · 납부 {paid} ({verdict})",
        "matches": "일치", "differs": "불일치",
        "charges": "    청구 항목:",
        "charge": "      {component}{waivable}: 청구 {billed}, 납부 {paid}",
        "waivable_mark": " (면제 대상)",
        "refund": "환급 (A2-A7)",
        "assignment": "배정: {status}{reason} — 결정 규칙 {rule}",
        "wave": "환급 {wave}차, 지급일 {payout} (해지일 {from}~{to}, "
                "신청 {applied_from}부터 {until})",
        "wave_until_before": "{before} 전까지",
        "wave_until_end": "신청 마감 {end}까지",
        "amounts": "환급액 {refund} · 청구 취소액 {cancel} · 상태 {state}",
        "applications": "신청 내역:",
        "no_applications": "신청 없음",
        "application": "  {application_id} {channel} {at} KST · {timing} → {outcome} ({reason})",
        "reminders": "미신청 안내 (N2): {count}회 ({dates})",
        "no_reminders": "미신청 안내 (N2): 없음",
        "unclaimed": "미청구 환급: {refund} (데이터 기준 {as_of} KST, 신청 기간 {closed})",
        "closed": "종료", "open": "진행 중",
        "other_applications": "이 회선에 접수된 환급 신청 (A6):",
        "lookup": "예상 위약금 조회 (P5, {as_of} 기준)",
        "not_in_lookup": "조회 대상 아님: {as_of} 24:00 KST에 이용 중인 KT 회선이 아님 (P5)",
        "lookup_line": "면제 가능 여부: {eligible}{reasons} · 예상 면제 위약금 {expected} "
                       "(공시지원금 {subsidy}, 선택약정 {selective}, 약정 {agreement})",
        "yes": "예", "no": "아니오",
        "rewards": "보상 혜택 (R1-R6)",
        "population": "보상 모집단 (R1): {reason}",
        "granted": "지급", "not_granted": "미지급",
        "reward": "  {benefit}{which}: {verdict} — {reason}",
        "insurance": "고객 안심 보험 (R6): {verdict} — {reason}",
        "no_insurance": "고객 안심 보험 (R6): 해당 없음 — 고객에게 보상 모집단 회선이 없음",
        "trace": "규칙 추적 (rule trace):",
    },
    "en": {
        "title": "Line {line_id} explained (customer {customer_id})",
        "waiver": "Penalty waiver (W1-W4)",
        "not_in_waiver": "Not in the waiver population: the line did not terminate inside "
                         "the waiver window (W1)",
        "status_line": "Decision: {status} - decided by {rule}",
        "termination": "Termination: {type} at {at} KST (event {event_id})",
        "activation": "Activation: {at} KST{override}",
        "override": " (from the activation event, overriding lines.activated_at {line_at})",
        "tests": "Exclusion tests (W2, in precedence order):",
        "applies": "applies", "does_not_apply": "does not apply",
        "device_change": "device change event {event_id} at {at} KST",
        "recontract": "re-contract event {event_id} at {at} KST",
        "rejoined": "re-joining line {line_id} activated {at} KST",
        "penalty": "Penalty arithmetic (P1-P3, D = {d}):",
        "no_agreement": "    no agreement in force: expected penalty 0",
        "agreement": "    agreement {agreement_id}: {type} from {S} for {T} months "
                     "(E {E}, C {C} d, U {U} d, R {R} d, G {G} d, basis {basis})",
        "component": "    {component}: expected {expected} · billed {billed} · paid {paid} "
                     "({verdict})",
        "matches": "matches", "differs": "differs",
        "charges": "    Charges billed:",
        "charge": "      {component}{waivable}: billed {billed}, paid {paid}",
        "waivable_mark": " (waivable)",
        "refund": "Refund (A2-A7)",
        "assignment": "Assignment: {status}{reason} - decided by {rule}",
        "wave": "Wave {wave}, payout {payout} (terminated {from}..{to}, applied from "
                "{applied_from} {until})",
        "wave_until_before": "before {before}",
        "wave_until_end": "to the window's close {end}",
        "amounts": "Refund {refund} · written off {cancel} · state {state}",
        "applications": "Applications:",
        "no_applications": "no application",
        "application": "  {application_id} {channel} {at} KST · {timing} -> {outcome} ({reason})",
        "reminders": "Reminders (N2): {count} ({dates})",
        "no_reminders": "Reminders (N2): none",
        "unclaimed": "Unclaimed refund: {refund} (data as of {as_of} KST, application window "
                     "{closed})",
        "closed": "closed", "open": "still open",
        "other_applications": "Refund applications naming this line (A6):",
        "lookup": "Expected-penalty lookup (P5, as of {as_of})",
        "not_in_lookup": "Not in the lookup: not a KT line in service at {as_of} 24:00 KST (P5)",
        "lookup_line": "Would be eligible: {eligible}{reasons} · expected waivable penalty "
                       "{expected} (subsidy {subsidy}, selective discount {selective}, "
                       "agreement {agreement})",
        "yes": "yes", "no": "no",
        "rewards": "Rewards (R1-R6)",
        "population": "Reward population (R1): {reason}",
        "granted": "granted", "not_granted": "not granted",
        "reward": "  {benefit}{which}: {verdict} - {reason}",
        "insurance": "Safety insurance of the customer (R6): {verdict} - {reason}",
        "no_insurance": "Safety insurance of the customer (R6): none - the customer has no "
                        "reward-population line",
        "trace": "Rule trace:",
    },
}

CODES: dict[str, dict[str, str]] = {
    "ko": {
        "eligible": "면제 대상", "eligible_no_penalty": "면제 대상 (위약금 없음)",
        "excluded": "제외",
        "mvno": "알뜰폰(MVNO) 회선", "iot_or_special": "IoT·특수 회선",
        "prepaid": "선불 회선", "forced_termination": "직권해지",
        "new_since_base_date": "기준일 이후 신규 개통",
        "device_change_since_base_date": "기준일 이후 기기변경",
        "recontract_since_base_date": "기준일 이후 재약정", "rejoined": "KT 재가입",
        "termination": "해지", "port_out": "번호이동",
        "phone": "휴대폰", "tablet": "태블릿", "wearable": "웨어러블", "iot": "IoT",
        "special": "특수 회선", "postpaid": "후불", "kt": "KT",
        "scheduled": "환급 예정", "manual_review": "수동 검토", "not_applied": "미신청",
        "account_holder_mismatch": "예금주 불일치",
        "hardship_extension": "군복무·해외체류 연장", "late_application": "기한 후 신청",
        "refund_scheduled": "환급 예정", "unclaimed": "미청구",
        "nothing_to_refund": "환급액 없음 (청구 취소만)",
        "accepted": "접수", "duplicate": "중복", "before_window": "접수 기간 전",
        "not_eligible": "면제 대상 아님", "unknown_line": "확인 불가 회선",
        "on_time": "기간 내", "late": "기한 후",
        "web": "웹", "call_center": "고객센터", "store": "매장",
        "earliest_payable": "지급 가능한 첫 신청",
        "applied_before_window": "신청 기간 전에 신청",
        "line_decided_by_another_application": "다른 신청으로 결정됨",
        "line_excluded": "면제 제외 회선", "line_eligible_no_penalty": "위약금 없는 회선",
        "device_subsidy": "공시지원금", "selective_discount": "선택약정",
        "subsidy_clawback": "공시지원금 반환금",
        "selective_discount_clawback": "선택약정 할인반환금",
        "device_installment": "단말 할부금", "plan_change_settlement": "차액정산금",
        "monthly_fee": "월 요금", "bundle_clawback": "결합 할인반환금",
        "no_agreement": "약정 없음", "term_completed": "약정 만료",
        "within_grace": "유예 기간 내", "prorated": "잔여 기간 비례",
        "data_bonus": "데이터 보너스", "roaming_bonus": "로밍 데이터",
        "ott_voucher": "OTT 이용권", "membership_discount": "멤버십 할인",
        "in_waiver_population": "면제 모집단 포함", "applies": "해당",
        "does_not_apply": "해당 없음", "not_applicable": "적용 안 함",
        "payable": "지급 가능", "before_window_only": "기간 전 신청만",
        "reminded": "안내 발송", "not_reminded": "안내 없음",
        "agreement_in_force": "약정 있음", "matches_billing": "청구와 일치",
        "differs_from_billing": "청구와 다름",
        "safety_insurance": "안심 보험",
        "in_population": "보상 대상 회선", "not_in_population": "보상 대상 아님",
        "in_service_at_grant": "지급일 00:00 KST에 이용 중",
        "suspended_at_grant": "지급일 00:00 KST에 일시정지 상태",
        "terminated_at_grant": "지급일 00:00 KST에 해지 상태",
        "not_in_service_at_grant": "지급일 00:00 KST에 이용 중이 아님",
        "in_service_in_window": "기간 내 구매, 구매 시 이용 중",
        "outside_roaming_window": "로밍 보너스 기간 밖 구매",
        "not_in_service_at_purchase": "구매 시 이용 중이 아님",
        "first_valid_choice": "첫 유효 선택", "no_choice": "OTT 서비스 선택 없음",
        "unknown_service": "첫 선택이 대상이 아닌 서비스",
        "after_deadline": "선택 기한 이후 선택",
        "not_first_valid_choice": "먼저 한 유효 선택이 있음",
        "population_line": "보상 대상 회선",
        "no_population_line": "고객에게 보상 모집단 회선이 없음",
        "insured_automatically": "만 65세 이상 자동 가입으로 신청 불필요",
        "not_first_application": "먼저 한 신청으로 가입됨",
        "auto_enrolled_by_age": "만 65세 이상 자동 가입", "applied": "신청으로 가입",
        "business_customer": "법인 고객은 대상 아님",
        "no_birth_date_no_application": "생년월일 없음, 보험 신청 없음",
        "under_auto_age_no_application": "만 65세 미만, 보험 신청 없음",
        "activated_after_population_instant": "보상 기준 시각 이후 개통",
        "terminated_before_population_instant": "보상 기준 시각 전 해지",
        "no_activation_time": "개통 시각 없음",
    },
    "en": {
        "eligible_no_penalty": "eligible (no penalty)",
        "mvno": "MVNO line", "iot_or_special": "IoT or special line",
        "prepaid": "prepaid line", "in_population": "in the reward population",
        "nothing_to_refund": "nothing to refund (write-off only)",
        "in_service_at_grant": "in service at 00:00 KST on the grant date",
        "suspended_at_grant": "suspended at 00:00 KST on the grant date",
        "terminated_at_grant": "terminated at 00:00 KST on the grant date",
        "not_in_service_at_grant": "not in service at 00:00 KST on the grant date",
        "unknown_service": "the first choice was for a service outside the program",
        "no_choice": "no OTT service chosen",
        "under_auto_age_no_application": "under 65 and no insurance application",
        "no_birth_date_no_application": "no birth date and no insurance application",
        "business_customer": "business customers are not insured",
        "auto_enrolled_by_age": "enrolled automatically at 65 or older",
        "applied": "enrolled on application",
        "terminated_before_population_instant":
            "terminated before the reward population instant",
        "activated_after_population_instant": "activated after the reward population instant",
        "not_in_population": "the line is not in the reward population",
        "not_first_valid_choice": "an earlier valid choice was granted",
        "no_population_line": "the customer holds no reward-population line",
        "insured_automatically": "already insured automatically at 65 or older",
        "not_first_application": "an earlier application enrolled the customer",
    },
}

RULE_NAMES: dict[str, dict[str, str]] = {
    "ko": {
        "W1": "면제 모집단", "W2.1": "알뜰폰", "W2.2": "IoT·특수", "W2.3": "선불",
        "W2.4": "직권해지", "W2.5": "신규 개통", "W2.6": "기기변경", "W2.7": "재약정",
        "W2.8": "재가입", "W4": "면제 판정", "A2": "신청 기간", "A3": "예금주 확인",
        "A4": "기한 후 신청", "A5": "환급 차수", "A6": "신청 결과", "A7": "환급·청구 취소액",
        "N2": "미신청 안내", "P1": "적용 약정", "P2": "공시지원금 반환금",
        "P3": "선택약정 할인반환금",
    },
    "en": {
        "W1": "waiver population", "W2.1": "MVNO", "W2.2": "IoT/special", "W2.3": "prepaid",
        "W2.4": "forced termination", "W2.5": "new line", "W2.6": "device change",
        "W2.7": "re-contract", "W2.8": "re-joined", "W4": "waiver status",
        "A2": "application window", "A3": "account holder", "A4": "late application",
        "A5": "refund wave", "A6": "application outcome", "A7": "refund and write-off",
        "N2": "reminders", "P1": "agreement in force", "P2": "subsidy clawback",
        "P3": "selective-discount clawback",
    },
}


def code(value: Any, lang: str) -> str:
    """The label of a code in the language (English falls back to the code itself)."""
    if value is None:
        return "–"
    text = str(value)
    if lang == "ko":
        return CODES["ko"].get(text, text)
    return CODES["en"].get(text, text.replace("_", " "))


def won(amount: Any, lang: str = "ko") -> str:
    """Whole won with thousands separators: '1,234원' (ko) or 'KRW 1,234' (en)."""
    if amount is None:
        return "–"
    return f"{int(amount):,}원" if lang == "ko" else f"KRW {int(amount):,}"


def _minute(value: str | None) -> str:
    return "–" if value is None else value[:16]


def format_text(explanation: dict[str, Any], lang: str = "ko") -> str:
    """The explanation as plain text for a person, in Korean (`ko`) or English (`en`)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    text = TEXT[lang]
    lines = [text["title"].format(line_id=explanation["line_id"],
                                  customer_id=explanation["customer_id"] or "–"), ""]
    lines += _waiver_text(explanation, lang)
    lines += _refund_text(explanation, lang)
    lines += _lookup_text(explanation, lang)
    lines += _rewards_text(explanation, lang)
    waiver = explanation["waiver"]
    if waiver is not None:
        lines += ["", text["trace"]]
        for step in waiver["rule_trace"]:
            lines.append(f"  {step['rule_id']:<5} {RULE_NAMES[lang].get(step['rule_id'], '')}: "
                         f"{code(step['outcome'], lang)} | {step['detail']}")
    return "\n".join(lines) + "\n"


def _waiver_text(explanation: dict[str, Any], lang: str) -> list[str]:
    text, waiver = TEXT[lang], explanation["waiver"]
    lines = [f"■ {text['waiver']}"]
    if waiver is None:
        return [*lines, f"  {text['not_in_waiver']}", ""]
    status = code(waiver["status"], lang)
    if waiver["exclusion_reason"]:
        status += f" ({', '.join(code(r, lang) for r in waiver['exclusion_reasons'])})"
    termination, activation = waiver["termination"], waiver["activation"]
    override = text["override"].format(line_at=activation["lines_activated_at_kst"] or "–") \
        if activation["event_overrode_lines"] else ""
    lines += [
        "  " + text["status_line"].format(status=status, rule=waiver["decided_by"]),
        "  " + text["termination"].format(type=code(termination["type"], lang),
                                          at=termination["at_kst"],
                                          event_id=termination["event_id"]),
        "  " + text["activation"].format(at=activation["at_kst"] or "–", override=override),
        "  " + text["tests"],
    ]
    evidence = {
        "W2.6": waiver["device_change"] and text["device_change"].format(
            **waiver["device_change"]),
        "W2.7": waiver["recontract"] and text["recontract"].format(**waiver["recontract"]),
        "W2.8": waiver["rejoined_line"] and text["rejoined"].format(
            line_id=waiver["rejoined_line"]["line_id"],
            at=waiver["rejoined_line"]["activated_at_kst"]),
    }
    for test in waiver["tests"]:
        verdict = text["applies"] if test["applies"] else text["does_not_apply"]
        extra = f" — {evidence[test['rule_id']]}" if evidence.get(test["rule_id"]) else ""
        lines.append(f"    {test['rule_id']:<5} {code(test['reason'], lang)}: {verdict}{extra}")
    penalty = waiver["penalty"]
    arithmetic = penalty["arithmetic"]
    lines.append("  " + text["penalty"].format(d=arithmetic["D"]))
    agreement = penalty["agreement"]
    if agreement is None:
        lines.append(text["no_agreement"])
    else:
        lines.append(text["agreement"].format(
            agreement_id=agreement["agreement_id"], type=code(agreement["type"], lang),
            basis=code(arithmetic["basis"], lang),
            **{key: arithmetic[key] for key in ("S", "T", "E", "C", "U", "R", "G")}))
    for component in penalty["components"]:
        lines.append(text["component"].format(
            component=code(component["component"], lang),
            expected=won(component["expected_krw"], lang),
            billed=won(component["billed_krw"], lang), paid=won(component["paid_krw"], lang),
            verdict=text["matches"] if component["matches"] else text["differs"]))
    if penalty["charges"]:
        lines.append(text["charges"])
        for charge in penalty["charges"]:
            lines.append(text["charge"].format(
                component=code(charge["component"], lang),
                waivable=text["waivable_mark"] if charge["is_waivable"] else "",
                billed=won(charge["billed_krw"], lang), paid=won(charge["paid_krw"], lang)))
    return [*lines, ""]


def _application_line(application: dict[str, Any], lang: str) -> str:
    reason = application.get("outcome_reason") or application.get("review_reason")
    return TEXT[lang]["application"].format(
        application_id=application["application_id"],
        channel=code(application["channel"], lang),
        at=_minute(application["applied_at_kst"]),
        timing=code(application.get("timing"), lang),
        outcome=code(application["outcome"], lang), reason=code(reason, lang))


def _refund_text(explanation: dict[str, Any], lang: str) -> list[str]:
    text, refund = TEXT[lang], explanation["refund"]
    if refund is None:
        if not explanation["applications"]:
            return []
        lines = [f"■ {text['refund']}", "  " + text["other_applications"]]
        for application in explanation["applications"]:
            lines.append("  " + _application_line(application, lang))
        return [*lines, ""]
    reason = f" ({code(refund['review_reason'], lang)})" if refund["review_reason"] else ""
    lines = [f"■ {text['refund']}", "  " + text["assignment"].format(
        status=code(refund["assignment_status"], lang), reason=reason,
        rule=refund["decided_by"])]
    wave = refund["wave_rule"]
    if wave is not None:
        until = (text["wave_until_before"].format(before=_minute(wave["applied_before_kst"]))
                 if wave["applied_before_kst"]
                 else text["wave_until_end"].format(
                     end=_minute(wave["application_window_end_kst"])))
        lines.append("  " + text["wave"].format(
            wave=refund["refund_wave"], payout=refund["payout_date"],
            until=until, applied_from=_minute(wave["applied_from_kst"]),
            **{"from": wave["terminated_from_date"], "to": wave["terminated_to_date"]}))
    lines.append("  " + text["amounts"].format(
        refund=won(refund["refund_krw"], lang), cancel=won(refund["cancel_krw"], lang),
        state=code(refund["remediation_state"], lang)))
    lines.append("  " + text["applications"]
                 + ("" if refund["applications"] else " " + text["no_applications"]))
    for application in refund["applications"]:
        lines.append("  " + _application_line(application, lang))
    reminders = refund["reminders"]
    lines.append("  " + (text["reminders"].format(
        count=reminders["sent"], dates=", ".join(reminders["dates"]))
        if reminders["sent"] else text["no_reminders"]))
    unclaimed = refund["unclaimed"]
    if unclaimed is not None:
        lines.append("  " + text["unclaimed"].format(
            refund=won(unclaimed["refund_krw"], lang),
            as_of=_minute(unclaimed["data_as_of_kst"]),
            closed=text["closed"] if unclaimed["is_window_closed"] else text["open"]))
    return [*lines, ""]


def _lookup_text(explanation: dict[str, Any], lang: str) -> list[str]:
    text, lookup = TEXT[lang], explanation["lookup"]
    if lookup is None:
        as_of = explanation["lookup_as_of_date"] or "–"
        return [f"■ {text['lookup'].format(as_of=as_of)}",
                "  " + text["not_in_lookup"].format(as_of=as_of), ""]
    reasons = lookup["exclusion_reasons"] or []
    return [
        f"■ {text['lookup'].format(as_of=lookup['as_of_date'])}",
        "  " + text["lookup_line"].format(
            eligible=text["yes"] if lookup["would_be_eligible"] else text["no"],
            reasons=f" ({', '.join(code(r, lang) for r in reasons)})" if reasons else "",
            expected=won(lookup["expected_waivable_penalty_krw"], lang),
            subsidy=won(lookup["expected_subsidy_clawback_krw"], lang),
            selective=won(lookup["expected_selective_discount_clawback_krw"], lang),
            agreement=lookup["agreement_id"] or "–"),
        "",
    ]


def reward_which(reward: dict[str, Any]) -> str:
    """What a reward decision is about: the grant date, the pass or the OTT service (nothing
    for a decision about the whole benefit, such as a class exclusion)."""
    if reward["benefit"] == "data_bonus" and reward["period_start"]:
        return f" {reward['period_start']}"
    if reward["benefit"] == "roaming_bonus" and reward["purchase_id"]:
        return f" {reward['purchase_id']} ({reward['period_start']})"
    return ""


def reward_outcome(reward: dict[str, Any], lang: str) -> str:
    """The reason of a reward row with its quantity or period."""
    reason = code(reward["reason"], lang)
    if reward["granted"] and reward["quantity"] is not None:
        amount = f"{reward['quantity']:,} {reward['unit']}" \
            if reward["unit"] in ("GB", "MB") else ""
        period = f"{reward['period_start']} ~ {reward['period_end']}"
        reason += f" ({', '.join(part for part in (amount, period) if part)})"
    if reward["detail"] and reward["benefit"] in ("ott_voucher",):
        reason += f" [{reward['detail']}]"
    return reason


def _rewards_text(explanation: dict[str, Any], lang: str) -> list[str]:
    text = TEXT[lang]
    lines = [f"■ {text['rewards']}"]
    population = explanation["reward_population"]
    if population is not None:
        reason = code(population["reason"], lang)
        lines.append("  " + text["population"].format(
            reason=f"{reason} ({_minute(population['checked_at_kst'])} KST)"))
    for reward in explanation["rewards"]:
        lines.append(text["reward"].format(
            benefit=code(reward["benefit"], lang), which=reward_which(reward),
            verdict=text["granted"] if reward["granted"] else text["not_granted"],
            reason=reward_outcome(reward, lang)))
    insurance = explanation["insurance"]
    if insurance is None:
        lines.append("  " + text["no_insurance"])
    else:
        lines.append("  " + text["insurance"].format(
            verdict=text["granted"] if insurance["granted"] else text["not_granted"],
            reason=reward_outcome(insurance, lang)))
    return lines
