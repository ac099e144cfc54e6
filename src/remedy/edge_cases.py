"""Hand-written edge cases appended to every generated landing directory.

Each case is plain data: the landing rows it adds (in contract terms: timestamps are Korea
wall-clock strings, stored as UTC instants when written) and what the published marts
must say about them, according to the literal text of PROGRAM_RULES.md.

Ids are recognisable: customers `C-EDGE-<case>-<n>`, lines `L-EDGE-<case>-<n>`, events
`E-EDGE-<case>-<nn>`, agreements `AG-EDGE-...`, charges `PC-EDGE-...`, applications
`RA-EDGE-...`, passes `RP-EDGE-...`, OTT choices `OC-EDGE-...`, insurance `IA-EDGE-...`.

An `Expectation` names a mart, a filter (`where`, column -> value) and the rows the mart
must hold for that filter, as column subsets compared without regard to order; an empty
`rows` means the mart has no row for the filter. Values use these conventions:
dates 'YYYY-MM-DD', KST timestamps 'YYYY-MM-DD HH:MM:SS', money as int,
`exclusion_reasons` as a list in W2 precedence order. Expectations are for program
`kt_2025_12` and the default lookup as-of date 2025-12-31. Readings of the spec that a
test may trip over are stated once here: waivable_billed/paid_krw are reported for
excluded lines too; refund_krw/cancel_krw are reported for every eligible line (also
manual_review and not_applied), as the reconciliation "refunds by wave + unscheduled =
waivable paid" implies; cases with a `note` record further judgment calls. The pseudo-mart
`penalty_arithmetic` holds the P1-P3 result for an agreement and a termination date
(what the warehouse's own penalty macro must return).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

PROGRAM_ID = "kt_2025_12"
WAVE_PAYOUT = {1: "2026-01-22", 2: "2026-02-05", 3: "2026-02-19"}
GRANT_DATES = ("2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01",
               "2026-07-01")


@dataclass(frozen=True)
class Expectation:
    mart: str
    where: dict[str, object]
    rows: tuple[dict[str, object], ...]


@dataclass(frozen=True)
class EdgeCase:
    case_id: str
    rules: tuple[str, ...]
    title: str
    rows: dict[str, tuple[dict[str, object], ...]]
    expect: tuple[Expectation, ...]
    note: str | None = None


# ---------------------------------------------------------------------------------------
# P1-P3 arithmetic in plain Python (the generator's SQL and the warehouse must agree)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, clamped to the month's last day (2024-02-29 + 12 = 2025-02-28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (next_month - dt.timedelta(days=1)).day))


def penalty_krw(agreement_type: str, start: str, term_months: int, amount: int,
                terminated_on: str) -> int:
    """Expected clawback (P1-P3) of one agreement for a termination on a KST date."""
    s, d = dt.date.fromisoformat(start), dt.date.fromisoformat(terminated_on)
    c = (add_months(s, term_months) - s).days
    u = (d - s).days
    g = 180 if term_months == 24 else 90
    if u >= c:
        return 0
    r = c - u
    if agreement_type == "device_subsidy":
        return amount if u <= g else amount * r // (c - g)
    if u <= g:
        return amount * 12 * u // 365
    return amount * 12 * u * r // (365 * (c - g))


# ---------------------------------------------------------------------------------------
# Builder: one per case, accumulates rows and expectations

DEFAULT_ACTIVATED = "2021-03-10 11:00:00"
DEFAULT_BIRTH = "1985-06-15"
CHANNEL_BY_EVENT = {
    "activation": "store", "device_change": "store", "recontract": "web",
    "plan_change": "web", "suspension": "call_center", "suspension_end": "system",
    "termination": "store", "port_out": "system", "forced_termination": "system",
}


def _person_key(seed_text: str) -> str:
    return hashlib.sha256(f"edge-person:{seed_text}".encode()).hexdigest()[:16].upper()


@dataclass
class _Builder:
    case_id: str
    rules: tuple[str, ...]
    title: str
    note: str | None = None
    rows: dict[str, list[dict[str, object]]] = field(default_factory=lambda: defaultdict(list))
    expectations: list[Expectation] = field(default_factory=list)
    _events: int = 0

    def _id(self, prefix: str, suffix: object) -> str:
        return f"{prefix}-EDGE-{self.case_id}-{suffix}"

    def customer(self, suffix: object = 1, *, birth: str | None = DEFAULT_BIRTH,
                 business: bool = False, person_key: str | None = None,
                 created: str = "2014-03-02 10:00:00") -> str:
        customer_id = self._id("C", suffix)
        self.rows["customers"].append({
            "customer_id": customer_id,
            "person_key": person_key or _person_key(customer_id),
            "customer_type": "business" if business else "individual",
            "full_name": "(주)엣지테스트" if business else "엣지테스트",
            "birth_date": None if business else birth,
            "created_at": created,
        })
        return customer_id

    def line(self, customer_id: str, suffix: object = 1, *,
             activated: str = DEFAULT_ACTIVATED, network: str = "kt",
             line_class: str = "phone", payment: str = "postpaid") -> str:
        line_id = self._id("L", suffix)
        self.rows["lines"].append({
            "line_id": line_id, "customer_id": customer_id,
            "msisdn": f"010-9999-{len(self.rows['lines']) + 1:04d}",
            "network": network,
            "mvno_brand": "kt_m_mobile" if network == "mvno" else None,
            "line_class": line_class, "payment_type": payment, "activated_at": activated,
        })
        self.event(line_id, "activation", activated)
        return line_id

    def event(self, line_id: str, event_type: str, at: str, *,
              port_out_to: str | None = None) -> str:
        self._events += 1
        event_id = self._id("E", f"{self._events:02d}")
        self.rows["contract_events"].append({
            "event_id": event_id, "line_id": line_id, "event_type": event_type,
            "event_at": at, "channel": CHANNEL_BY_EVENT[event_type],
            "port_out_to": port_out_to,
        })
        return event_id

    def agreement(self, line_id: str, start: str, *, kind: str = "device_subsidy",
                  term: int = 24, amount: int = 500_000, suffix: object = None) -> dict:
        agreement = {
            "agreement_id": self._id("AG", suffix or len(self.rows["agreements"]) + 1),
            "line_id": line_id, "agreement_type": kind, "start_date": start,
            "term_months": term,
            "subsidy_krw": amount if kind == "device_subsidy" else None,
            "monthly_discount_krw": amount if kind == "selective_discount" else None,
        }
        self.rows["agreements"].append(agreement)
        return agreement

    def terminate(self, line_id: str, at: str, kind: str = "termination",
                  port_out_to: str | None = None) -> str:
        if kind == "port_out" and port_out_to is None:
            port_out_to = "skt"
        return self.event(line_id, kind, at, port_out_to=port_out_to)

    def charge(self, line_id: str, event_id: str, component: str, billed: int, paid: int,
               billed_on: str) -> None:
        self.rows["penalty_charges"].append({
            "charge_id": self._id("PC", len(self.rows["penalty_charges"]) + 1),
            "line_id": line_id, "termination_event_id": event_id, "component": component,
            "billed_krw": billed, "paid_krw": paid, "billed_on": billed_on,
        })

    def application(self, line_id: str, at: str, suffix: object = 1, *, channel: str = "web",
                    matches: bool | None = True, exception: str | None = None,
                    hardship: str | None = None, ended: str | None = None) -> str:
        application_id = self._id("RA", suffix)
        self.rows["refund_applications"].append({
            "application_id": application_id, "line_id": line_id, "channel": channel,
            "applied_at": at, "account_holder_matches": matches,
            "holder_exception": exception, "hardship_reason": hardship,
            "hardship_ended_on": ended,
            "bank_account_token": "tok_EDGE" + hashlib.sha256(
                application_id.encode()).hexdigest()[:12].upper(),
        })
        return application_id

    def roaming(self, line_id: str, at: str, base_data_mb: int, suffix: object) -> str:
        purchase_id = self._id("RP", suffix)
        self.rows["roaming_passes"].append({
            "purchase_id": purchase_id, "line_id": line_id,
            "pass_code": f"RP_EDGE_{base_data_mb}", "base_data_mb": base_data_mb,
            "purchased_at": at,
        })
        return purchase_id

    def ott(self, line_id: str, at: str, service: str, suffix: object) -> str:
        choice_id = self._id("OC", suffix)
        self.rows["ott_choices"].append({
            "choice_id": choice_id, "line_id": line_id, "service": service, "chosen_at": at,
        })
        return choice_id

    def insurance(self, customer_id: str, at: str, suffix: object = 1) -> str:
        application_id = self._id("IA", suffix)
        self.rows["insurance_applications"].append({
            "application_id": application_id, "customer_id": customer_id, "applied_at": at,
        })
        return application_id

    def expect(self, mart: str, where: dict[str, object], *rows: dict[str, object]) -> None:
        self.expectations.append(Expectation(mart, dict(where), tuple(rows)))

    def build(self) -> EdgeCase:
        return EdgeCase(
            case_id=self.case_id, rules=self.rules, title=self.title,
            rows={table: tuple(rows) for table, rows in self.rows.items()},
            expect=tuple(self.expectations), note=self.note,
        )


# ---------------------------------------------------------------------------------------
# Composite helpers and expected-row shapes


@dataclass(frozen=True)
class Penalised:
    line_id: str
    customer_id: str
    termination_event_id: str
    billed: int
    paid: int


def penalised_line(
    b: _Builder, suffix: object = 1, *, terminated: str, kind: str = "termination",
    port_out_to: str | None = None, customer_id: str | None = None,
    activated: str = DEFAULT_ACTIVATED, agreement_start: str | None = "2025-03-01",
    agreement_kind: str = "device_subsidy", term: int = 24, amount: int = 500_000,
    paid: str | int = "full", line_class: str = "phone", billed_delta: int = 0,
    start_event: str = "device_change",
) -> Penalised:
    """A KT postpaid line whose agreement (started by `start_event`) is clawed back.

    The waivable charge equals the P1-P3 arithmetic (plus `billed_delta`) and is billed
    on the termination date; `paid` is 'full', 'none' or an amount.
    """
    customer_id = customer_id or b.customer(suffix)
    line_id = b.line(customer_id, suffix, activated=activated, line_class=line_class)
    if agreement_start and agreement_start != activated[:10]:
        b.event(line_id, start_event, f"{agreement_start} 14:00:00")
    agreement = None
    if agreement_start:
        agreement = b.agreement(line_id, agreement_start, kind=agreement_kind, term=term,
                                amount=amount)
    event_id = b.terminate(line_id, terminated, kind, port_out_to)
    billed = paid_krw = 0
    if agreement:
        billed = penalty_krw(agreement_kind, agreement_start, term, amount,
                             terminated[:10]) + billed_delta
    if billed > 0:
        paid_krw = _paid_amount(paid, billed)
        component = "subsidy_clawback" if agreement_kind == "device_subsidy" \
            else "selective_discount_clawback"
        b.charge(line_id, event_id, component, billed, paid_krw, terminated[:10])
    return Penalised(line_id, customer_id, event_id, billed, paid_krw)


def _paid_amount(paid: str | int, billed: int) -> int:
    if isinstance(paid, int):
        return paid
    return billed if paid == "full" else 0


def waiver(status: str, *reasons: str, billed: int = 0, paid: int = 0, **extra) -> dict:
    row = {"waiver_status": status, "exclusion_reason": reasons[0] if reasons else None,
           "exclusion_reasons": list(reasons), "waivable_billed_krw": billed,
           "waivable_paid_krw": paid}
    row.update(extra)
    return row


def scheduled(application_id: str, wave: int, line: Penalised) -> dict:
    return {"assignment_status": "scheduled", "application_id": application_id,
            "review_reason": None, "refund_wave": wave, "payout_date": WAVE_PAYOUT[wave],
            "refund_krw": line.paid, "cancel_krw": line.billed - line.paid}


def manual(application_id: str, reason: str, line: Penalised) -> dict:
    return {"assignment_status": "manual_review", "application_id": application_id,
            "review_reason": reason, "refund_wave": None, "payout_date": None,
            "refund_krw": line.paid, "cancel_krw": line.billed - line.paid}


def not_applied(line: Penalised) -> dict:
    return {"assignment_status": "not_applied", "application_id": None,
            "review_reason": None, "refund_wave": None, "payout_date": None,
            "refund_krw": line.paid, "cancel_krw": line.billed - line.paid}


def expect_eligible(b: _Builder, line: Penalised) -> None:
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("eligible", billed=line.billed, paid=line.paid))


def expect_outcome(b: _Builder, application_id: str, outcome: str) -> None:
    b.expect("fct_refund_application_outcomes", {"application_id": application_id},
             {"outcome": outcome})


def expect_notices(b: _Builder, line_id: str, *numbers: int) -> None:
    dates = {1: "2026-02-09", 2: "2026-02-23", 3: "2026-03-09"}
    b.expect("fct_refund_notices", {"line_id": line_id},
             *({"notice_number": n, "notice_date": dates[n]} for n in numbers))


def expect_grants(b: _Builder, line_id: str, *grant_dates: str) -> None:
    rows = []
    for grant in grant_dates:
        start = dt.date.fromisoformat(grant)
        end = add_months(start, 1) - dt.timedelta(days=1)
        rows.append({"period_start": grant, "period_end": end.isoformat(),
                     "quantity": 100, "unit": "GB"})
    b.expect("fct_reward_entitlements", {"line_id": line_id, "benefit": "data_bonus"}, *rows)


def expect_membership(b: _Builder, line_id: str, entitled: bool = True) -> None:
    rows = ({"period_start": "2026-02-01", "period_end": "2026-07-31", "quantity": 1,
             "unit": "membership"},) if entitled else ()
    b.expect("fct_reward_entitlements", {"line_id": line_id, "benefit": "membership_discount"},
             *rows)


def expect_insurance(b: _Builder, customer_id: str, start: str | None = None,
                     end: str | None = None, detail: str | None = None) -> None:
    rows = ({"line_id": None, "period_start": start, "period_end": end, "quantity": 1,
             "unit": "policy", "detail": detail},) if start else ()
    b.expect("fct_reward_entitlements",
             {"customer_id": customer_id, "benefit": "safety_insurance"}, *rows)


def expect_ott(b: _Builder, line_id: str, service: str | None = None, start: str | None = None,
               end: str | None = None) -> None:
    rows = ({"period_start": start, "period_end": end, "quantity": 1, "unit": "voucher",
             "detail": service},) if service else ()
    b.expect("fct_reward_entitlements", {"line_id": line_id, "benefit": "ott_voucher"}, *rows)


def expect_nothing(b: _Builder, line_id: str) -> None:
    b.expect("fct_reward_entitlements", {"line_id": line_id})


def active_line(b: _Builder, suffix: object = 1, *, customer_id: str | None = None,
                activated: str = DEFAULT_ACTIVATED, **line_kw) -> str:
    customer_id = customer_id or b.customer(suffix)
    return b.line(customer_id, suffix, activated=activated, **line_kw)


# ---------------------------------------------------------------------------------------
# The catalogue

CASES: list[EdgeCase] = []


def case(case_id: str, rules: tuple[str, ...], title: str,
         note: str | None = None) -> Callable[[Callable[[_Builder], None]], Callable]:
    def register(fill: Callable[[_Builder], None]) -> Callable:
        builder = _Builder(case_id, rules, title, note)
        fill(builder)
        CASES.append(builder.build())
        return fill
    return register


# --- W1: the waiver window, evaluated on KST dates ---------------------------------------


@case("W1-0831", ("W1",), "terminated 2025-08-31 23:59:59 KST, one second before the window")
def w1_before_window(b: _Builder) -> None:
    line = penalised_line(b, terminated="2025-08-31 23:59:59")
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id})


@case("W1-0901", ("W1", "W4"), "terminated 2025-09-01 00:00:00 KST (2025-08-31 15:00Z)")
def w1_window_opens(b: _Builder) -> None:
    line = penalised_line(b, terminated="2025-09-01 00:00:00")
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("eligible", billed=line.billed, paid=line.paid,
                    termination_type="termination", terminated_at_kst="2025-09-01 00:00:00",
                    termination_event_id=line.termination_event_id))


@case("W1-0113", ("W1", "A5"), "port-out 2026-01-13 23:59:59 KST, the window's last second")
def w1_window_closes(b: _Builder) -> None:
    line = penalised_line(b, terminated="2026-01-13 23:59:59", kind="port_out")
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("eligible", billed=line.billed, paid=line.paid, termination_type="port_out"))
    app = b.application(line.line_id, "2026-01-20 10:00:00")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(app, 3, line))
    expect_nothing(b, line.line_id)  # terminated before 2026-01-14 00:00: not in R1


@case("W1-0114", ("W1", "R1", "R2", "R5"),
      "terminated 2026-01-14 00:00:00 KST (2026-01-13 15:00Z): outside the window, "
      "but in the reward population (not terminated before that instant)")
def w1_after_window(b: _Builder) -> None:
    line = penalised_line(b, terminated="2026-01-14 00:00:00", kind="port_out",
                          port_out_to="lgu")
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id})
    expect_grants(b, line.line_id)
    expect_membership(b, line.line_id)


@case("W1-UTC-MORNING", ("W1",),
      "terminated 2025-09-01 08:30:00 KST = 2025-08-31 23:30Z: the UTC date is before the "
      "window, the KST date is inside")
def w1_utc_morning(b: _Builder) -> None:
    line = penalised_line(b, terminated="2025-09-01 08:30:00")
    expect_eligible(b, line)


# --- W2: exclusions and their precedence ---------------------------------------------------


@case("W25-0831", ("W2.5",), "activated 2025-08-31 23:59:59: in service before the cut-off")
def w25_before_cutoff(b: _Builder) -> None:
    line = penalised_line(b, terminated="2025-10-20 15:00:00", activated="2025-08-31 23:59:59",
                          agreement_start="2025-08-31", amount=550_000)
    expect_eligible(b, line)


@case("W25-0901", ("W2.5",), "activated 2025-09-01 00:00:00: new since the base date")
def w25_at_cutoff(b: _Builder) -> None:
    line = penalised_line(b, terminated="2025-10-20 15:00:00", activated="2025-09-01 00:00:00",
                          agreement_start="2025-09-01", amount=550_000)
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("excluded", "new_since_base_date", billed=line.billed, paid=line.paid))


@case("W26-0901", ("W2.6",), "device change at 2025-09-01 00:00:00, then termination")
def w26_at_cutoff(b: _Builder) -> None:
    customer_id = b.customer()
    line_id = b.line(customer_id)
    b.event(line_id, "device_change", "2025-09-01 00:00:00")
    b.agreement(line_id, "2025-09-01", amount=480_000)
    event_id = b.terminate(line_id, "2025-11-20 11:00:00")
    billed = penalty_krw("device_subsidy", "2025-09-01", 24, 480_000, "2025-11-20")
    b.charge(line_id, event_id, "subsidy_clawback", billed, billed, "2025-11-20")
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("excluded", "device_change_since_base_date", billed=billed, paid=billed))


@case("W26-0831", ("W2.6",), "device change at 2025-08-31 23:59:59: before the cut-off")
def w26_before_cutoff(b: _Builder) -> None:
    customer_id = b.customer()
    line_id = b.line(customer_id)
    b.event(line_id, "device_change", "2025-08-31 23:59:59")
    b.agreement(line_id, "2025-08-31", amount=480_000)
    event_id = b.terminate(line_id, "2025-11-20 11:00:00")
    billed = penalty_krw("device_subsidy", "2025-08-31", 24, 480_000, "2025-11-20")
    b.charge(line_id, event_id, "subsidy_clawback", billed, billed, "2025-11-20")
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("eligible", billed=billed, paid=billed))


@case("W27-RECONTRACT", ("W2.7",), "recontract 2025-10-01 (selective discount), then termination")
def w27_recontract(b: _Builder) -> None:
    line = penalised_line(b, terminated="2025-12-05 16:00:00", agreement_start="2025-10-01",
                          agreement_kind="selective_discount", amount=13_750,
                          start_event="recontract")
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("excluded", "recontract_since_base_date", billed=line.billed,
                    paid=line.paid))


@case("W2-DC-AND-RC", ("W2", "W2.6", "W2.7"),
      "device change and recontract after the cut-off: device change comes first")
def w2_device_change_and_recontract(b: _Builder) -> None:
    customer_id = b.customer()
    line_id = b.line(customer_id)
    b.event(line_id, "device_change", "2025-09-10 13:00:00")
    b.agreement(line_id, "2025-09-10", amount=450_000)
    b.event(line_id, "recontract", "2025-10-10 13:00:00")
    b.agreement(line_id, "2025-10-10", kind="selective_discount", amount=17_250)
    event_id = b.terminate(line_id, "2025-12-01 12:00:00")
    billed = penalty_krw("selective_discount", "2025-10-10", 24, 17_250, "2025-12-01")
    b.charge(line_id, event_id, "selective_discount_clawback", billed, billed, "2025-12-01")
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("excluded", "device_change_since_base_date", "recontract_since_base_date",
                    billed=billed, paid=billed))


@case("W2-MVNO-ALL", ("W2", "W2.1", "W2.3", "W2.4", "W2.5"),
      "MVNO prepaid phone activated after the cut-off, force-terminated: mvno wins")
def w2_mvno_everything(b: _Builder) -> None:
    customer_id = b.customer()
    line_id = b.line(customer_id, activated="2025-09-15 12:00:00", network="mvno",
                     payment="prepaid")
    b.terminate(line_id, "2025-11-03 03:00:00", "forced_termination")
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("excluded", "mvno", "prepaid", "forced_termination", "new_since_base_date"))


@case("W2-MVNO-IOT", ("W2", "W2.1", "W2.2"), "MVNO IoT line: mvno before iot_or_special")
def w2_mvno_iot(b: _Builder) -> None:
    customer_id = b.customer(business=True)
    line_id = b.line(customer_id, network="mvno", line_class="iot")
    b.terminate(line_id, "2025-10-02 10:00:00")
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("excluded", "mvno", "iot_or_special"))


@case("W2-IOT", ("W2.2",), "KT IoT line of a business, with a monthly fee charge")
def w2_iot(b: _Builder) -> None:
    customer_id = b.customer(business=True)
    line_id = b.line(customer_id, line_class="iot")
    event_id = b.terminate(line_id, "2025-10-10 10:00:00")
    b.charge(line_id, event_id, "monthly_fee", 3_300, 3_300, "2025-10-10")
    b.expect("fct_waiver_eligibility", {"line_id": line_id}, waiver("excluded", "iot_or_special"))


@case("W2-SPECIAL-FORCED", ("W2", "W2.2", "W2.4"), "KT special line force-terminated")
def w2_special_forced(b: _Builder) -> None:
    customer_id = b.customer(business=True)
    line_id = b.line(customer_id, line_class="special")
    b.terminate(line_id, "2025-12-01 02:30:00", "forced_termination")
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("excluded", "iot_or_special", "forced_termination"))


@case("W2-PREPAID", ("W2.3",), "KT prepaid phone ported out to LG U+")
def w2_prepaid(b: _Builder) -> None:
    customer_id = b.customer()
    line_id = b.line(customer_id, payment="prepaid")
    b.terminate(line_id, "2026-01-05 18:00:00", "port_out", "lgu")
    b.expect("fct_waiver_eligibility", {"line_id": line_id}, waiver("excluded", "prepaid"))


@case("W2-PREPAID-DC", ("W2", "W2.3", "W2.6"), "KT prepaid phone with a device change after the "
      "cut-off: prepaid first")
def w2_prepaid_device_change(b: _Builder) -> None:
    customer_id = b.customer()
    line_id = b.line(customer_id, payment="prepaid")
    b.event(line_id, "device_change", "2025-10-01 10:00:00")
    b.terminate(line_id, "2025-12-10 10:00:00")
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("excluded", "prepaid", "device_change_since_base_date"))


@case("W2-FORCED", ("W2.4",), "KT postpaid phone force-terminated although a clawback was billed")
def w2_forced(b: _Builder) -> None:
    line = penalised_line(b, terminated="2025-10-07 04:00:00", kind="forced_termination")
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("excluded", "forced_termination", billed=line.billed, paid=line.paid,
                    termination_type="forced_termination"))


@case("W3-TABLET", ("W3",), "KT tablet (second device) is covered")
def w3_tablet(b: _Builder) -> None:
    expect_eligible(b, penalised_line(b, terminated="2025-11-11 11:00:00", line_class="tablet",
                                      amount=400_000))


@case("W3-WEARABLE", ("W3",), "KT wearable (second device) is covered")
def w3_wearable(b: _Builder) -> None:
    expect_eligible(b, penalised_line(b, terminated="2025-11-12 11:00:00",
                                      line_class="wearable", agreement_kind="selective_discount",
                                      amount=5_000))


# --- W2.8: re-joiners --------------------------------------------------------------------


def _rejoin(b: _Builder, new_activated: str, *, network: str = "kt",
            same_customer: bool = False) -> Penalised:
    old_customer = b.customer(1)
    line = penalised_line(b, 1, terminated="2025-10-10 14:00:00", kind="port_out",
                          customer_id=old_customer)
    person_key = b.rows["customers"][0]["person_key"]
    new_customer = old_customer if same_customer else b.customer(
        2, person_key=person_key, created=new_activated)
    b.line(new_customer, 2, activated=new_activated, network=network)
    return line


@case("W28-REJOIN", ("W2.8",), "same person, new customer record, new KT line 2025-12-20")
def w28_rejoin(b: _Builder) -> None:
    line = _rejoin(b, "2025-12-20 11:00:00")
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("excluded", "rejoined", billed=line.billed, paid=line.paid))


@case("W28-REJOIN-LAST", ("W2.8",), "new KT line activated 2026-01-13 23:59:59: still rejoined")
def w28_rejoin_last_second(b: _Builder) -> None:
    line = _rejoin(b, "2026-01-13 23:59:59")
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("excluded", "rejoined", billed=line.billed, paid=line.paid))


@case("W28-REJOIN-LATE", ("W2.8",), "new KT line activated 2026-01-14 00:00:00: not rejoined")
def w28_rejoin_late(b: _Builder) -> None:
    expect_eligible(b, _rejoin(b, "2026-01-14 00:00:00"))


@case("W28-SAME-CUSTOMER", ("W2.8",), "same customer record opens another KT line afterwards")
def w28_same_customer(b: _Builder) -> None:
    line = _rejoin(b, "2025-11-15 10:00:00", same_customer=True)
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("excluded", "rejoined", billed=line.billed, paid=line.paid))


@case("W28-MVNO", ("W2.8",), "the person comes back on an MVNO line: not a KT line",
      note="'another KT line' read as network = 'kt'; an MVNO line does not count")
def w28_rejoin_mvno(b: _Builder) -> None:
    expect_eligible(b, _rejoin(b, "2025-12-01 10:00:00", network="mvno"))


@case("W28-OLDER-LINE", ("W2.8",), "a second KT line activated before the termination")
def w28_older_line(b: _Builder) -> None:
    customer_id = b.customer()
    b.line(customer_id, 2, activated="2019-05-05 10:00:00")
    expect_eligible(b, penalised_line(b, 1, terminated="2025-10-10 14:00:00",
                                      customer_id=customer_id))


# --- W4 / A7: penalties billed, waivable or not ----------------------------------------


@case("W4-NO-AGREEMENT", ("W4", "A7"), "no agreement, only a monthly fee: eligible_no_penalty")
def w4_no_agreement(b: _Builder) -> None:
    customer_id = b.customer()
    line_id = b.line(customer_id)
    event_id = b.terminate(line_id, "2025-10-15 15:00:00")
    b.charge(line_id, event_id, "monthly_fee", 35_000, 35_000, "2025-10-15")
    b.expect("fct_waiver_eligibility", {"line_id": line_id}, waiver("eligible_no_penalty"))
    app = b.application(line_id, "2026-01-15 10:00:00")
    expect_outcome(b, app, "not_eligible")
    b.expect("fct_refund_assignments", {"line_id": line_id})


@case("W4-EXPIRED", ("W4", "P1"), "12-month agreement ended before the termination (U >= C)")
def w4_expired(b: _Builder) -> None:
    line = penalised_line(b, terminated="2025-10-01 10:00:00", agreement_start="2024-05-01",
                          term=12)
    b.charge(line.line_id, line.termination_event_id, "device_installment", 120_000, 0,
             "2025-10-03")
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id}, waiver("eligible_no_penalty"))


@case("A7-MIXED", ("A7", "W4"), "waivable clawback plus every non-waivable component")
def a7_mixed(b: _Builder) -> None:
    line = penalised_line(b, terminated="2025-11-05 13:00:00", paid=150_000)
    for component, billed, paid in (("device_installment", 420_000, 0),
                                    ("bundle_clawback", 55_000, 55_000),
                                    ("plan_change_settlement", 12_300, 12_300),
                                    ("monthly_fee", 61_000, 61_000)):
        b.charge(line.line_id, line.termination_event_id, component, billed, paid, "2025-11-07")
    expect_eligible(b, line)
    app = b.application(line.line_id, "2026-01-15 12:00:00")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(app, 1, line))


@case("A7-UNPAID", ("A7", "W4"), "waivable clawback billed and not paid: refund 0, cancel all")
def a7_unpaid(b: _Builder) -> None:
    line = penalised_line(b, terminated="2025-11-06 13:00:00", paid="none")
    expect_eligible(b, line)
    app = b.application(line.line_id, "2026-01-15 12:00:00")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(app, 1, line))


# --- P: penalty arithmetic -----------------------------------------------------------------


def _arithmetic(b: _Builder, agreement_id: str, terminated_on: str, amount: int) -> None:
    b.expect("penalty_arithmetic", {"agreement_id": agreement_id, "terminated_on": terminated_on},
             {"expected_penalty_krw": amount})


@case("P4-EX1", ("P1", "P2", "P4"), "24 months from 2024-03-15, subsidy 600,000, terminated "
      "2025-01-15: 462,545", note="terminated outside the waiver window: checks lookup and "
      "reconciliation arithmetic only")
def p4_example_1(b: _Builder) -> None:
    line = penalised_line(b, terminated="2025-01-15 10:00:00", activated="2024-03-15 12:00:00",
                          agreement_start="2024-03-15", amount=600_000)
    _arithmetic(b, b.rows["agreements"][0]["agreement_id"], "2025-01-15", 462_545)
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id})


@case("P4-EX2", ("P2", "P4"), "same agreement terminated 2024-08-01 (U = 139 <= 180): 600,000")
def p4_example_2(b: _Builder) -> None:
    line = penalised_line(b, terminated="2024-08-01 10:00:00", activated="2024-03-15 12:00:00",
                          agreement_start="2024-03-15", amount=600_000)
    _arithmetic(b, b.rows["agreements"][0]["agreement_id"], "2024-08-01", 600_000)
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id})


@case("P4-EX3", ("P3", "P4", "R2"), "selective discount 17,250 from 2024-03-15, terminated "
      "2026-02-13: 21,653; in the reward population, so one data grant (2026-02-01)")
def p4_example_3(b: _Builder) -> None:
    line = penalised_line(b, terminated="2026-02-13 10:00:00", activated="2024-03-15 12:00:00",
                          agreement_start="2024-03-15", agreement_kind="selective_discount",
                          amount=17_250)
    _arithmetic(b, b.rows["agreements"][0]["agreement_id"], "2026-02-13", 21_653)
    expect_grants(b, line.line_id, "2026-02-01")


def _grace(b: _Builder, start: str, term: int, terminated: str, kind: str = "device_subsidy",
           amount: int = 500_000) -> None:
    line = penalised_line(b, terminated=f"{terminated} 12:00:00", agreement_start=start,
                          term=term, agreement_kind=kind, amount=amount)
    _arithmetic(b, b.rows["agreements"][0]["agreement_id"], terminated, line.billed)
    expect_eligible(b, line)


@case("P2-G24-AT", ("P1", "P2"), "24 months from 2025-03-05, U = G = 180: whole subsidy")
def p2_grace_24_at(b: _Builder) -> None:
    _grace(b, "2025-03-05", 24, "2025-09-01")


@case("P2-G24-AFTER", ("P1", "P2"), "24 months from 2025-03-05, U = 181: prorated 499,090")
def p2_grace_24_after(b: _Builder) -> None:
    _grace(b, "2025-03-05", 24, "2025-09-02")


@case("P2-G12-AT", ("P1", "P2"), "12 months from 2025-06-10, U = G = 90: whole subsidy")
def p2_grace_12_at(b: _Builder) -> None:
    _grace(b, "2025-06-10", 12, "2025-09-08")


@case("P2-G12-AFTER", ("P1", "P2"), "12 months from 2025-06-10, U = 91: floor(500000*274/275)")
def p2_grace_12_after(b: _Builder) -> None:
    _grace(b, "2025-06-10", 12, "2025-09-09")


@case("P3-G12-AT", ("P1", "P3"), "selective 20,000 for 12 months from 2025-06-10, U = G = 90")
def p3_grace_12_at(b: _Builder) -> None:
    _grace(b, "2025-06-10", 12, "2025-09-08", "selective_discount", 20_000)


@case("P3-G12-AFTER", ("P1", "P3"), "selective 20,000 for 12 months from 2025-06-10, U = 91")
def p3_grace_12_after(b: _Builder) -> None:
    _grace(b, "2025-06-10", 12, "2025-09-09", "selective_discount", 20_000)


@case("P1-LEAP-CLAMP", ("P1", "P2"), "24 months from 2024-02-29: E clamps to 2026-02-28, C = 730")
def p1_leap_clamp(b: _Builder) -> None:
    _grace(b, "2024-02-29", 24, "2025-10-01")


@case("P1-JAN31", ("P1", "P2"), "24 months from 2024-01-31: E = 2026-01-31, C = 731",
      note="12/24-month terms from the 31st never clamp (only a 29 February start does, "
      "see P1-LEAP-CLAMP); this pins C across a leap year")
def p1_jan31(b: _Builder) -> None:
    _grace(b, "2024-01-31", 24, "2025-11-30")


@case("P1-TIE", ("P1",), "two agreements start the same day: the greater agreement_id is in "
      "force (selective discount)")
def p1_tie(b: _Builder) -> None:
    customer_id = b.customer()
    line_id = b.line(customer_id)
    b.event(line_id, "device_change", "2025-05-20 10:00:00")
    b.agreement(line_id, "2025-05-20", amount=500_000, suffix=1)
    b.event(line_id, "recontract", "2025-05-20 15:00:00")
    b.agreement(line_id, "2025-05-20", kind="selective_discount", amount=17_250, suffix=2)
    event_id = b.terminate(line_id, "2025-10-10 12:00:00")
    billed = penalty_krw("selective_discount", "2025-05-20", 24, 17_250, "2025-10-10")
    b.charge(line_id, event_id, "selective_discount_clawback", billed, billed, "2025-10-10")
    _arithmetic(b, b.rows["agreements"][1]["agreement_id"], "2025-10-10", billed)
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("eligible", billed=billed, paid=billed))


@case("P-BILLING-DIFFERS", ("A7", "P1", "P2"), "billing charged 3,000 won more than the "
      "arithmetic: billing is the truth for refunds, reconciliation shows the difference")
def p_billing_differs(b: _Builder) -> None:
    line = penalised_line(b, terminated="2025-10-21 12:00:00", billed_delta=3_000)
    expected = penalty_krw("device_subsidy", "2025-03-01", 24, 500_000, "2025-10-21")
    _arithmetic(b, b.rows["agreements"][0]["agreement_id"], "2025-10-21", expected)
    expect_eligible(b, line)


@case("P5-LEAP", ("P5", "P1", "P2"), "active line, 24 months from 2024-02-29, lookup as of "
      "2025-12-31: U = 671, R = 59 -> 53,636")
def p5_leap(b: _Builder) -> None:
    line_id = active_line(b)
    b.event(line_id, "device_change", "2024-02-29 14:00:00")
    agreement = b.agreement(line_id, "2024-02-29")
    b.expect("fct_penalty_lookup", {"line_id": line_id, "as_of_date": "2025-12-31"},
             {"would_be_eligible": True, "exclusion_reason": None,
              "agreement_id": agreement["agreement_id"], "expected_subsidy_clawback_krw": 53_636,
              "expected_selective_discount_clawback_krw": 0,
              "expected_waivable_penalty_krw": 53_636})


@case("P5-DEVICE-CHANGE", ("P5", "W2.6"), "active line with a device change 2025-10-05")
def p5_device_change(b: _Builder) -> None:
    line_id = active_line(b)
    b.event(line_id, "device_change", "2025-10-05 10:00:00")
    agreement = b.agreement(line_id, "2025-10-05", amount=450_000)
    b.expect("fct_penalty_lookup", {"line_id": line_id, "as_of_date": "2025-12-31"},
             {"would_be_eligible": False, "exclusion_reason": "device_change_since_base_date",
              "agreement_id": agreement["agreement_id"],
              "expected_subsidy_clawback_krw": 450_000,
              "expected_selective_discount_clawback_krw": 0,
              "expected_waivable_penalty_krw": 450_000})


@case("P5-ASOF-EDGES", ("P5",), "activated 2025-12-31 23:59:59 is in the lookup (new); "
      "terminated 2025-12-31 10:00 is not; an MVNO line never is")
def p5_as_of_edges(b: _Builder) -> None:
    late = active_line(b, 1, activated="2025-12-31 23:59:59")
    b.expect("fct_penalty_lookup", {"line_id": late, "as_of_date": "2025-12-31"},
             {"would_be_eligible": False, "exclusion_reason": "new_since_base_date",
              "agreement_id": None, "expected_waivable_penalty_krw": 0})
    gone = active_line(b, 2)
    b.terminate(gone, "2025-12-31 10:00:00")
    b.expect("fct_penalty_lookup", {"line_id": gone, "as_of_date": "2025-12-31"})
    mvno = active_line(b, 3, network="mvno")
    b.expect("fct_penalty_lookup", {"line_id": mvno, "as_of_date": "2025-12-31"})


# --- A: applications, waves, outcomes ------------------------------------------------------


def _applicant(b: _Builder, terminated: str = "2025-10-15 15:00:00", **kw) -> Penalised:
    line = penalised_line(b, terminated=terminated, **kw)
    expect_eligible(b, line)
    return line


@case("A2-0859", ("A2", "A6", "N2"), "only application at 2026-01-14 08:59:59: before_window, "
      "so the line is not applied and gets all three reminders")
def a2_before_window(b: _Builder) -> None:
    line = _applicant(b)
    app = b.application(line.line_id, "2026-01-14 08:59:59")
    expect_outcome(b, app, "before_window")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, not_applied(line))
    expect_notices(b, line.line_id, 1, 2, 3)


@case("A2-0900", ("A2", "A5"), "application at 2026-01-14 09:00:00: accepted, wave 1")
def a2_window_opens(b: _Builder) -> None:
    line = _applicant(b)
    app = b.application(line.line_id, "2026-01-14 09:00:00")
    expect_outcome(b, app, "accepted")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(app, 1, line))
    expect_notices(b, line.line_id)


@case("A5-0118", ("A5",), "application at 2026-01-18 23:59:59: wave 1")
def a5_wave1_last_second(b: _Builder) -> None:
    line = _applicant(b)
    app = b.application(line.line_id, "2026-01-18 23:59:59")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(app, 1, line))


@case("A5-0119", ("A5",), "application at 2026-01-19 00:00:00: wave 2")
def a5_wave2_first_second(b: _Builder) -> None:
    line = _applicant(b)
    app = b.application(line.line_id, "2026-01-19 00:00:00")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(app, 2, line))


@case("A2-2200", ("A2", "A5"), "application at 2026-01-31 22:00:00: on time, wave 2")
def a2_window_closes(b: _Builder) -> None:
    line = _applicant(b)
    app = b.application(line.line_id, "2026-01-31 22:00:00")
    expect_outcome(b, app, "accepted")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(app, 2, line))


@case("A2-220001", ("A2", "A4", "N2"), "application at 2026-01-31 22:00:01: late; dated 01-31, "
      "so no reminders")
def a2_late_first_second(b: _Builder) -> None:
    line = _applicant(b)
    app = b.application(line.line_id, "2026-01-31 22:00:01")
    expect_outcome(b, app, "manual_review")
    b.expect("fct_refund_assignments", {"line_id": line.line_id},
             manual(app, "late_application", line))
    expect_notices(b, line.line_id)


@case("A5-1231-W1", ("A5",), "terminated 2025-12-31, applied 2026-01-16: wave 1 (not 3)")
def a5_1231_wave1(b: _Builder) -> None:
    line = _applicant(b, terminated="2025-12-31 10:00:00", kind="port_out")
    app = b.application(line.line_id, "2026-01-16 10:00:00")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(app, 1, line))


@case("A5-1231-W2", ("A5",), "terminated 2025-12-31, applied 2026-01-25: wave 2")
def a5_1231_wave2(b: _Builder) -> None:
    line = _applicant(b, terminated="2025-12-31 23:59:59", kind="port_out", port_out_to="mvno")
    app = b.application(line.line_id, "2026-01-25 10:00:00")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(app, 2, line))


@case("A5-0101-W3", ("A5",), "terminated 2026-01-01 00:00:00 KST (2025-12-31 15:00Z), applied "
      "2026-01-15: wave 3")
def a5_0101_wave3(b: _Builder) -> None:
    line = _applicant(b, terminated="2026-01-01 00:00:00", kind="port_out", port_out_to="lgu")
    app = b.application(line.line_id, "2026-01-15 10:00:00")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(app, 3, line))


@case("A5-0110-W3", ("A5",), "terminated 2026-01-10, applied 2026-01-30: wave 3")
def a5_0110_wave3(b: _Builder) -> None:
    line = _applicant(b, terminated="2026-01-10 10:00:00")
    app = b.application(line.line_id, "2026-01-30 10:00:00")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(app, 3, line))


@case("A6-TIE", ("A6",), "two applications at the same instant: the smaller application_id wins")
def a6_tie(b: _Builder) -> None:
    line = _applicant(b)
    first = b.application(line.line_id, "2026-01-16 10:00:00", 1, channel="web")
    second = b.application(line.line_id, "2026-01-16 10:00:00", 2, channel="call_center")
    expect_outcome(b, first, "accepted")
    expect_outcome(b, second, "duplicate")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(first, 1, line))


@case("A6-TRIPLE", ("A6",), "three on-time applications: the earliest is accepted")
def a6_triple(b: _Builder) -> None:
    line = _applicant(b)
    apps = [b.application(line.line_id, at, n, channel=channel) for n, at, channel in (
        (1, "2026-01-21 10:00:00", "store"), (2, "2026-01-20 10:00:00", "web"),
        (3, "2026-01-22 10:00:00", "call_center"))]
    expect_outcome(b, apps[1], "accepted")
    expect_outcome(b, apps[0], "duplicate")
    expect_outcome(b, apps[2], "duplicate")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(apps[1], 2, line))


@case("A6-BEFORE-THEN-ON-TIME", ("A6", "N2"), "applied 2026-01-10 (before_window) and again "
      "2026-01-20: accepted in wave 2, no reminders")
def a6_before_then_on_time(b: _Builder) -> None:
    line = _applicant(b)
    early = b.application(line.line_id, "2026-01-10 10:00:00", 1)
    again = b.application(line.line_id, "2026-01-20 10:00:00", 2)
    expect_outcome(b, early, "before_window")
    expect_outcome(b, again, "accepted")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(again, 2, line))
    expect_notices(b, line.line_id)


@case("A6-BEFORE-THEN-LATE", ("A6", "A4"), "before_window, then a late application")
def a6_before_then_late(b: _Builder) -> None:
    line = _applicant(b)
    early = b.application(line.line_id, "2026-01-05 10:00:00", 1)
    late = b.application(line.line_id, "2026-02-03 10:00:00", 2)
    expect_outcome(b, early, "before_window")
    expect_outcome(b, late, "manual_review")
    b.expect("fct_refund_assignments", {"line_id": line.line_id},
             manual(late, "late_application", line))


@case("A6-MISMATCH-THEN-MATCH", ("A3", "A6"), "an unpayable (holder mismatch) application, then "
      "a payable one: the payable one is accepted")
def a6_mismatch_then_match(b: _Builder) -> None:
    line = _applicant(b)
    first = b.application(line.line_id, "2026-01-15 10:00:00", 1, matches=False)
    second = b.application(line.line_id, "2026-01-17 10:00:00", 2)
    expect_outcome(b, first, "duplicate")
    expect_outcome(b, second, "accepted")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(second, 1, line))


@case("A6-MISMATCH-THEN-LATE", ("A3", "A6"), "holder mismatch on time, then a late application: "
      "manual review on the first, for the mismatch")
def a6_mismatch_then_late(b: _Builder) -> None:
    line = _applicant(b)
    first = b.application(line.line_id, "2026-01-20 10:00:00", 1, matches=False)
    late = b.application(line.line_id, "2026-02-05 10:00:00", 2)
    expect_outcome(b, first, "manual_review")
    expect_outcome(b, late, "duplicate")
    b.expect("fct_refund_assignments", {"line_id": line.line_id},
             manual(first, "account_holder_mismatch", line))
    expect_notices(b, line.line_id)


@case("A6-UNPAYABLE-TIE", ("A3", "A6"), "two mismatching applications at the same instant")
def a6_unpayable_tie(b: _Builder) -> None:
    line = _applicant(b)
    first = b.application(line.line_id, "2026-01-23 10:00:00", 1, matches=False)
    second = b.application(line.line_id, "2026-01-23 10:00:00", 2, matches=None)
    expect_outcome(b, first, "manual_review")
    expect_outcome(b, second, "duplicate")


def _holder(b: _Builder, matches: bool | None, exception: str | None, payable: bool) -> None:
    line = _applicant(b)
    app = b.application(line.line_id, "2026-01-20 10:00:00", matches=matches,
                        exception=exception)
    if payable:
        expect_outcome(b, app, "accepted")
        b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(app, 2, line))
    else:
        expect_outcome(b, app, "manual_review")
        b.expect("fct_refund_assignments", {"line_id": line.line_id},
                 manual(app, "account_holder_mismatch", line))


@case("A3-MINOR", ("A3",), "account not in the holder's name, exception minor: paid")
def a3_minor(b: _Builder) -> None:
    _holder(b, False, "minor", True)


@case("A3-CORPORATE", ("A3",), "account not in the holder's name, exception corporate: paid")
def a3_corporate(b: _Builder) -> None:
    _holder(b, False, "corporate", True)


@case("A3-MISMATCH", ("A3",), "account not in the holder's name, no exception: manual review")
def a3_mismatch(b: _Builder) -> None:
    _holder(b, False, None, False)


@case("A3-NULL-MATCH", ("A3",), "account_holder_matches null, no exception: a mismatch")
def a3_null_match(b: _Builder) -> None:
    _holder(b, None, None, False)


@case("A3-NULL-MATCH-MINOR", ("A3",), "account_holder_matches null with exception minor: paid",
      note="null counts as a mismatch, and a mismatch with exception minor is paid")
def a3_null_match_minor(b: _Builder) -> None:
    _holder(b, None, "minor", True)


@case("A4-MILITARY-D14", ("A4", "N2"), "military service ended 2026-02-01, applied 2026-02-15 "
      "23:59:59 (ended + 14 days): hardship extension; reminded once (02-09)")
def a4_military_day_14(b: _Builder) -> None:
    line = _applicant(b)
    app = b.application(line.line_id, "2026-02-15 23:59:59", hardship="military",
                        ended="2026-02-01")
    expect_outcome(b, app, "manual_review")
    b.expect("fct_refund_assignments", {"line_id": line.line_id},
             manual(app, "hardship_extension", line))
    expect_notices(b, line.line_id, 1)


@case("A4-MILITARY-D15", ("A4",), "military service ended 2026-02-01, applied 2026-02-16 "
      "00:00:00: late application")
def a4_military_day_15(b: _Builder) -> None:
    line = _applicant(b)
    app = b.application(line.line_id, "2026-02-16 00:00:00", hardship="military",
                        ended="2026-02-01")
    b.expect("fct_refund_assignments", {"line_id": line.line_id},
             manual(app, "late_application", line))


@case("A4-ABROAD", ("A4",), "stay abroad ended 2026-01-25, applied 2026-02-03: hardship")
def a4_abroad(b: _Builder) -> None:
    line = _applicant(b)
    app = b.application(line.line_id, "2026-02-03 10:00:00", hardship="abroad",
                        ended="2026-01-25")
    b.expect("fct_refund_assignments", {"line_id": line.line_id},
             manual(app, "hardship_extension", line))


@case("A4-HARDSHIP-ON-TIME", ("A4",), "hardship fields on an on-time application: accepted")
def a4_hardship_on_time(b: _Builder) -> None:
    line = _applicant(b)
    app = b.application(line.line_id, "2026-01-22 10:00:00", hardship="abroad",
                        ended="2026-01-10")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(app, 2, line))


@case("A4-LATE-0210", ("A4", "N2"), "plain late application 2026-02-10: late_application, "
      "notice 1 only")
def a4_late_0210(b: _Builder) -> None:
    line = _applicant(b)
    app = b.application(line.line_id, "2026-02-10 10:00:00")
    b.expect("fct_refund_assignments", {"line_id": line.line_id},
             manual(app, "late_application", line))
    expect_notices(b, line.line_id, 1)


@case("N2-0209", ("N2",), "late application dated 2026-02-09 (a reminder date): no reminders")
def n2_0209(b: _Builder) -> None:
    line = _applicant(b)
    b.application(line.line_id, "2026-02-09 10:00:00")
    expect_notices(b, line.line_id)


@case("N2-0223", ("N2",), "late application dated 2026-02-23: notice 1 only")
def n2_0223(b: _Builder) -> None:
    line = _applicant(b)
    b.application(line.line_id, "2026-02-23 10:00:00")
    expect_notices(b, line.line_id, 1)


@case("N2-0224", ("N2",), "late application dated 2026-02-24: notices 1 and 2")
def n2_0224(b: _Builder) -> None:
    line = _applicant(b)
    b.application(line.line_id, "2026-02-24 10:00:00")
    expect_notices(b, line.line_id, 1, 2)


@case("N2-NONE", ("N2", "A6"), "eligible line that never applies: not_applied, three reminders")
def n2_never(b: _Builder) -> None:
    line = _applicant(b)
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, not_applied(line))
    expect_notices(b, line.line_id, 1, 2, 3)


@case("N2-NOT-ELIGIBLE", ("N2",), "excluded lines get no reminders")
def n2_not_eligible(b: _Builder) -> None:
    line = penalised_line(b, terminated="2025-10-07 04:00:00", kind="forced_termination")
    expect_notices(b, line.line_id)


@case("A6-UNKNOWN-LINE", ("A6",), "applications to a line that does not exist (one of them "
      "before the window): unknown_line first")
def a6_unknown_line(b: _Builder) -> None:
    ghost = b._id("L", "GHOST")
    expect_outcome(b, b.application(ghost, "2026-01-20 10:00:00", 1), "unknown_line")
    expect_outcome(b, b.application(ghost, "2026-01-10 10:00:00", 2), "unknown_line")


@case("A6-EXCLUDED-LINE", ("A6",), "applications to an excluded line (one before the window): "
      "not_eligible first")
def a6_excluded_line(b: _Builder) -> None:
    line = penalised_line(b, terminated="2025-10-20 15:00:00", activated="2025-09-02 10:00:00",
                          agreement_start="2025-09-02")
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("excluded", "new_since_base_date", billed=line.billed, paid=line.paid))
    expect_outcome(b, b.application(line.line_id, "2026-01-20 10:00:00", 1), "not_eligible")
    expect_outcome(b, b.application(line.line_id, "2026-01-10 10:00:00", 2), "not_eligible")
    b.expect("fct_refund_assignments", {"line_id": line.line_id})


@case("A6-ACTIVE-LINE", ("A6",), "application from a line that never terminated: not_eligible")
def a6_active_line(b: _Builder) -> None:
    line_id = active_line(b)
    expect_outcome(b, b.application(line_id, "2026-01-20 10:00:00"), "not_eligible")


@case("A6-OUTSIDE-WINDOW", ("A6", "W1"), "application for a line terminated 2025-08-20")
def a6_outside_window(b: _Builder) -> None:
    line = penalised_line(b, terminated="2025-08-20 10:00:00")
    expect_outcome(b, b.application(line.line_id, "2026-01-20 10:00:00"), "not_eligible")


# --- R: rewards ----------------------------------------------------------------------------


@case("R2-SUSPENDED", ("R2",), "suspended 2026-02-20 .. 2026-04-10: no grants on 03-01, 04-01")
def r2_suspended(b: _Builder) -> None:
    line_id = active_line(b)
    b.event(line_id, "suspension", "2026-02-20 10:00:00")
    b.event(line_id, "suspension_end", "2026-04-10 10:00:00")
    expect_grants(b, line_id, "2026-02-01", "2026-05-01", "2026-06-01", "2026-07-01")
    expect_membership(b, line_id)


@case("R2-SUSPENSION-ENDS-0000", ("R2",), "suspension ends at 2026-05-01 00:00:00: the 05-01 "
      "grant is given", note="assumes a state change takes effect at its instant, so at "
      "00:00:00 the line is no longer suspended")
def r2_suspension_ends_midnight(b: _Builder) -> None:
    line_id = active_line(b)
    b.event(line_id, "suspension", "2026-04-15 10:00:00")
    b.event(line_id, "suspension_end", "2026-05-01 00:00:00")
    expect_grants(b, line_id, *GRANT_DATES)


@case("R2-SUSPENSION-STARTS-0000", ("R2",), "suspended from 2026-06-01 00:00:00, never "
      "resumed: grants 02-01 .. 05-01", note="as R2-SUSPENSION-ENDS-0000: a suspension at "
      "00:00:00 is in effect at that instant")
def r2_suspension_starts_midnight(b: _Builder) -> None:
    line_id = active_line(b)
    b.event(line_id, "suspension", "2026-06-01 00:00:00")
    expect_grants(b, line_id, *GRANT_DATES[:4])


@case("R2-TERMINATED-0315", ("R2", "R3", "R4", "R5"), "terminated 2026-03-15: grants 02-01 and "
      "03-01 only; OTT chosen afterwards still valid; a pass bought afterwards is not",
      note="R5 gives membership to every population line; the rules do not end it at "
      "termination")
def r2_terminated_0315(b: _Builder) -> None:
    line_id = active_line(b)
    bought = b.roaming(line_id, "2026-03-10 09:00:00", 3072, 1)
    b.roaming(line_id, "2026-04-02 09:00:00", 1024, 2)
    b.terminate(line_id, "2026-03-15 12:00:00")
    b.ott(line_id, "2026-04-01 10:00:00", "disney_plus", 1)
    expect_grants(b, line_id, "2026-02-01", "2026-03-01")
    b.expect("fct_reward_entitlements", {"line_id": line_id, "benefit": "roaming_bonus"},
             {"period_start": "2026-03-10", "period_end": "2026-03-10", "quantity": 1536,
              "unit": "MB", "detail": bought})
    expect_ott(b, line_id, "disney_plus", "2026-05-01", "2026-10-31")
    expect_membership(b, line_id)


@case("R1-ACT-0113", ("R1", "R2", "R5"), "activated 2026-01-13 23:59:59: in the population")
def r1_activated_last_second(b: _Builder) -> None:
    line_id = active_line(b, activated="2026-01-13 23:59:59")
    expect_grants(b, line_id, *GRANT_DATES)
    expect_membership(b, line_id)


@case("R1-ACT-0114", ("R1",), "activated 2026-01-14 00:00:00: not in the population")
def r1_activated_first_second(b: _Builder) -> None:
    line_id = active_line(b, activated="2026-01-14 00:00:00")
    b.ott(line_id, "2026-02-02 10:00:00", "tving", 1)
    b.roaming(line_id, "2026-03-05 10:00:00", 1024, 1)
    expect_nothing(b, line_id)


@case("R2-PREPAID", ("R2", "R5"), "KT prepaid phone: no data bonus, membership yes",
      note="R5 excludes only iot/special, so a prepaid line keeps the membership discount")
def r2_prepaid(b: _Builder) -> None:
    line_id = active_line(b, payment="prepaid")
    expect_grants(b, line_id)
    expect_membership(b, line_id)


@case("R2-IOT", ("R2", "R3", "R4", "R5", "R6"), "KT IoT line of a business: nothing at all")
def r2_iot(b: _Builder) -> None:
    customer_id = b.customer(business=True)
    line_id = b.line(customer_id, line_class="iot")
    b.roaming(line_id, "2026-04-01 10:00:00", 1024, 1)
    b.ott(line_id, "2026-02-01 10:00:00", "tving", 1)
    expect_nothing(b, line_id)
    expect_insurance(b, customer_id)


@case("R1-MVNO", ("R1", "R6"), "MVNO phone of a 76-year-old: no entitlements, no insurance")
def r1_mvno(b: _Builder) -> None:
    customer_id = b.customer(birth="1950-03-03")
    line_id = b.line(customer_id, network="mvno")
    b.roaming(line_id, "2026-04-01 10:00:00", 1024, 1)
    b.ott(line_id, "2026-02-01 10:00:00", "tving", 1)
    expect_nothing(b, line_id)
    expect_insurance(b, customer_id)


@case("R3-ROAMING-EDGES", ("R3",), "passes at 02-28 23:59:59 / 03-01 00:00:00 / 08-31 23:59:59 / "
      "09-01 00:00:00 KST with odd sizes (999, 1537 MB)")
def r3_roaming_edges(b: _Builder) -> None:
    line_id = active_line(b)
    b.roaming(line_id, "2026-02-28 23:59:59", 999, 1)
    march = b.roaming(line_id, "2026-03-01 00:00:00", 999, 2)
    august = b.roaming(line_id, "2026-08-31 23:59:59", 1537, 3)
    b.roaming(line_id, "2026-09-01 00:00:00", 1537, 4)
    b.expect("fct_reward_entitlements", {"line_id": line_id, "benefit": "roaming_bonus"},
             {"period_start": "2026-03-01", "period_end": "2026-03-01", "quantity": 499,
              "unit": "MB", "detail": march},
             {"period_start": "2026-08-31", "period_end": "2026-08-31", "quantity": 768,
              "unit": "MB", "detail": august})


def _ott_case(b: _Builder, choices: tuple[tuple[str, str], ...], expected: tuple | None) -> None:
    line_id = active_line(b)
    for n, (at, service) in enumerate(choices, start=1):
        b.ott(line_id, at, service, n)
    expect_ott(b, line_id, *(expected or ()))


@case("R4-0120", ("R4",), "TVING chosen 2026-01-20: 2026-02-01 .. 2026-07-31")
def r4_january(b: _Builder) -> None:
    _ott_case(b, (("2026-01-20 10:00:00", "tving"),), ("tving", "2026-02-01", "2026-07-31"))


@case("R4-0315", ("R4",), "Disney+ chosen 2026-03-15: 2026-04-01 .. 2026-09-30")
def r4_march(b: _Builder) -> None:
    _ott_case(b, (("2026-03-15 10:00:00", "disney_plus"),),
              ("disney_plus", "2026-04-01", "2026-09-30"))


@case("R4-NETFLIX-THEN-TVING", ("R4",), "netflix (rejected), then TVING on 2026-02-05")
def r4_netflix_then_tving(b: _Builder) -> None:
    _ott_case(b, (("2026-02-03 10:00:00", "netflix"), ("2026-02-05 10:00:00", "tving")),
              ("tving", "2026-03-01", "2026-08-31"))


@case("R4-SECOND-CHOICE", ("R4",), "TVING, then Disney+: the first valid choice wins")
def r4_second_choice(b: _Builder) -> None:
    _ott_case(b, (("2026-02-10 10:00:00", "tving"), ("2026-03-01 10:00:00", "disney_plus")),
              ("tving", "2026-03-01", "2026-08-31"))


@case("R4-DEADLINE", ("R4",), "chosen 2026-07-31 23:59:59: valid, 2026-08-01 .. 2027-01-31")
def r4_deadline(b: _Builder) -> None:
    _ott_case(b, (("2026-07-31 23:59:59", "tving"),), ("tving", "2026-08-01", "2027-01-31"))


@case("R4-AFTER-DEADLINE", ("R4",), "chosen 2026-08-01 00:00:00: rejected")
def r4_after_deadline(b: _Builder) -> None:
    _ott_case(b, (("2026-08-01 00:00:00", "tving"),), None)


@case("R4-EARLY", ("R4",), "chosen 2026-01-14 10:00 (before February): starts 2026-02-01")
def r4_early(b: _Builder) -> None:
    _ott_case(b, (("2026-01-14 10:00:00", "disney_plus"),),
              ("disney_plus", "2026-02-01", "2026-07-31"))


def _insured(b: _Builder, birth: str, *applications: str) -> str:
    customer_id = b.customer(birth=birth)
    b.line(customer_id)
    for n, at in enumerate(applications, start=1):
        b.insurance(customer_id, at, n)
    return customer_id


@case("R6-19610113", ("R6",), "born 1961-01-13: 65 on 2026-01-13, insured automatically")
def r6_turns_65(b: _Builder) -> None:
    expect_insurance(b, _insured(b, "1961-01-13"), "2026-02-01", "2028-01-31", "auto")


@case("R6-19610114", ("R6",), "born 1961-01-14: 64, no application, not insured")
def r6_still_64(b: _Builder) -> None:
    expect_insurance(b, _insured(b, "1961-01-14"))


@case("R6-19600229", ("R6",), "born 1960-02-29: 65, insured automatically")
def r6_leap_birthday(b: _Builder) -> None:
    expect_insurance(b, _insured(b, "1960-02-29"), "2026-02-01", "2028-01-31", "auto")


@case("R6-APPLY-0315", ("R6",), "aged 45, applied 2026-03-15: cover 2026-04-01 .. 2028-03-31")
def r6_application(b: _Builder) -> None:
    customer_id = _insured(b, "1980-07-07", "2026-03-15 10:00:00")
    expect_insurance(b, customer_id, "2026-04-01", "2028-03-31", "application")


@case("R6-APPLY-TWICE", ("R6",), "applied 2026-01-20 and 2026-02-10: the first wins")
def r6_application_twice(b: _Builder) -> None:
    customer_id = _insured(b, "1980-07-07", "2026-01-20 10:00:00", "2026-02-10 10:00:00")
    expect_insurance(b, customer_id, "2026-02-01", "2028-01-31", "application")


@case("R6-SENIOR-APPLIES", ("R6",), "aged 70 and also applied: the automatic policy only")
def r6_senior_applies(b: _Builder) -> None:
    customer_id = _insured(b, "1955-05-05", "2026-03-10 10:00:00")
    expect_insurance(b, customer_id, "2026-02-01", "2028-01-31", "auto")


@case("R6-BUSINESS", ("R6", "R2"), "business customer with a phone and an IoT line: the phone "
      "gets data, the business no insurance")
def r6_business(b: _Builder) -> None:
    customer_id = b.customer(business=True)
    phone = b.line(customer_id, 1)
    iot = b.line(customer_id, 2, line_class="iot")
    expect_grants(b, phone, *GRANT_DATES)
    expect_nothing(b, iot)
    expect_insurance(b, customer_id)


@case("R6-SEVERAL-LINES", ("R6", "R2"), "a 68-year-old with a phone, a tablet and a wearable: "
      "one policy, data on every line")
def r6_several_lines(b: _Builder) -> None:
    customer_id = b.customer(birth="1958-01-01")
    for n, line_class in enumerate(("phone", "tablet", "wearable"), start=1):
        expect_grants(b, b.line(customer_id, n, line_class=line_class), *GRANT_DATES)
    expect_insurance(b, customer_id, "2026-02-01", "2028-01-31", "auto")


@case("R6-NO-POPULATION-LINE", ("R6", "R1"), "applicant whose only line ended 2025-06-01")
def r6_no_population_line(b: _Builder) -> None:
    customer_id = b.customer(birth="1980-07-07")
    line_id = b.line(customer_id)
    b.terminate(line_id, "2025-06-01 10:00:00")
    b.insurance(customer_id, "2026-03-01 10:00:00")
    expect_insurance(b, customer_id)


@case("R6-TWO-RECORDS", ("R6",), "one 70-year-old person with two customer records, each with a "
      "population line: one policy per customer record",
      note="R6 says one policy per customer record (customer_id), not per person")
def r6_two_records(b: _Builder) -> None:
    first = b.customer(1, birth="1955-05-05")
    second = b.customer(2, birth="1955-05-05", person_key=b.rows["customers"][0]["person_key"])
    b.line(first, 1)
    b.line(second, 2, activated="2023-04-04 10:00:00")
    expect_insurance(b, first, "2026-02-01", "2028-01-31", "auto")
    expect_insurance(b, second, "2026-02-01", "2028-01-31", "auto")


# ---------------------------------------------------------------------------------------
# Access


def edge_rows() -> dict[str, list[dict[str, object]]]:
    """Every edge-case row per contract table, in catalogue order."""
    tables: dict[str, list[dict[str, object]]] = defaultdict(list)
    for edge_case in CASES:
        for table, rows in edge_case.rows.items():
            tables[table].extend(rows)
    return dict(tables)


def expectations() -> list[tuple[str, Expectation]]:
    """(case_id, expectation) pairs of the whole catalogue."""
    return [(edge_case.case_id, e) for edge_case in CASES for e in edge_case.expect]


def case_by_id(case_id: str) -> EdgeCase:
    return next(edge_case for edge_case in CASES if edge_case.case_id == case_id)
