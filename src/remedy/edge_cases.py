"""Hand-written edge cases appended to every generated landing directory.

Each case is plain data: the landing rows it adds (in contract terms: timestamps are Korea
wall-clock strings, stored as UTC instants when written) and what the published marts
must say about them, according to the literal text of PROGRAM_RULES.md.

The catalogue is built for one program (`catalogue(program_id)`): every date is placed
relative to that program's own seeded dates (`Calendar`, read by `remedy.program`), and
the expectations follow from them, so `remedy generate --program kt_2025_12_rev1` gets
cut-offs at the revision's reward population instant and insurance age date. The layout
assumes a program shaped like kt_2025_12 (a waiver window of a few months before an
application window, three refund waves, three reminders, monthly data grants); a case
that cannot be placed in a program raises `CatalogueError` instead of asserting nonsense.
Background dates (activations years ago, birthdays) are whole years before the program.

Ids are recognisable: customers `C-EDGE-<case>-<n>`, lines `L-EDGE-<case>-<n>`, events
`E-EDGE-<case>-<nn>`, agreements `AG-EDGE-...`, charges `PC-EDGE-...`, applications
`RA-EDGE-...`, passes `RP-EDGE-...`, OTT choices `OC-EDGE-...`, insurance `IA-EDGE-...`.
Case ids name the kt_2025_12 date a case was first written for (`W1-0831`); they stay
the same for every program.

An `Expectation` names a mart, a filter (`where`, column -> value) and the rows the mart
must hold for that filter, as column subsets compared without regard to order; an empty
`rows` means the mart has no row for the filter. Values use these conventions:
dates 'YYYY-MM-DD', KST timestamps 'YYYY-MM-DD HH:MM:SS', money as int,
`exclusion_reasons` as a list in W2 precedence order. Expectations hold for the program
the catalogue is built for and the dbt var `lookup_as_of_date` of dbt_project.yml.
Readings of the spec that a test may trip over are stated once here:
waivable_billed/paid_krw are reported for excluded lines too; refund_krw/cancel_krw are
reported for every eligible line (also manual_review and not_applied), as the
reconciliation "refunds by wave + unscheduled = waivable paid" implies; cases with a
`note` record further judgment calls. The pseudo-mart `penalty_arithmetic` holds the
P1-P3 result for an agreement and a termination date (what the warehouse's own penalty
macro must return), computed with the shared rule book `remedy.rules`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from remedy.program import Program, project_var, read_program
from remedy.rules import add_months, completed_years, expected_penalty_krw, first_day_of_next_month

SECOND = dt.timedelta(seconds=1)


class CatalogueError(ValueError):
    """A case cannot be placed in the program's calendar."""


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
# Calendar: the program's dates, and the text forms of the catalogue


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def at(day: dt.date, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """A KST wall-clock instant on a day."""
    return dt.datetime.combine(day, dt.time(hour, minute, second))


def text(value: object) -> object:
    """Catalogue form: 'YYYY-MM-DD HH:MM:SS' for instants, 'YYYY-MM-DD' for days."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def last_leap_day(before: dt.date) -> dt.date:
    """The latest 29 February before a day."""
    year = before.year if (before.month, before.day) > (2, 29) else before.year - 1
    while not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        year -= 1
    return dt.date(year, 2, 29)


@dataclass(frozen=True)
class Calendar:
    """A program's seeded dates as the catalogue uses them (KST) and the P5 lookup date."""

    program: Program
    lookup_as_of: dt.date

    @classmethod
    def of(cls, program: Program) -> Calendar:
        return cls(program, dt.date.fromisoformat(str(project_var("lookup_as_of_date"))))

    def __getattr__(self, parameter: str):
        # Seeded scalars by name: cal.waiver_window_start_date, cal.roaming_bonus_pct, ...
        if parameter.startswith("__") or parameter in ("program", "lookup_as_of"):
            raise AttributeError(parameter)
        try:
            return self.program.parameters[parameter]
        except KeyError:
            raise AttributeError(parameter) from None

    @property
    def cutoff(self) -> dt.datetime:
        return self.program["base_cutoff_kst"]

    @property
    def window_start(self) -> dt.date:
        return self.program["waiver_window_start_date"]

    @property
    def window_end(self) -> dt.date:
        return self.program["waiver_window_end_date"]

    @property
    def window_after(self) -> dt.datetime:
        """00:00 of the day after the waiver window: the first instant outside it."""
        return at(self.window_end + days(1))

    @property
    def app_open(self) -> dt.datetime:
        return self.program["application_window_start_kst"]

    @property
    def app_close(self) -> dt.datetime:
        return self.program["application_window_end_kst"]

    @property
    def population_as_of(self) -> dt.datetime:
        return self.program["reward_population_as_of_kst"]

    def wave(self, number: int) -> dict:
        return next(row for row in self.program.refund_waves if row["refund_wave"] == number)

    def payout(self, wave: int) -> str:
        return text(self.wave(wave)["payout_date"])

    @property
    def reminders(self) -> list[dt.date]:
        return self.program.reminder_dates

    @property
    def grants(self) -> list[dt.date]:
        return [row["grant_date"] for row in self.program.data_grants]

    def grant(self, day: dt.date) -> dict:
        return next(row for row in self.program.data_grants if row["grant_date"] == day)

    def born(self, age: int, month: int, day: int) -> dt.date:
        """The birthday (month, day) of someone aged `age` on the insurance age date."""
        reference = self.program["insurance_age_reference_date"]
        year = reference.year - age - int((month, day) > (reference.month, reference.day))
        return dt.date(year, month, day)

    def years_before_cutoff(self, years: int, month: int, day: int, hour: int = 0) -> dt.datetime:
        """A background instant: (month, day, hour) of a year `years` before the cut-off's."""
        return dt.datetime(self.cutoff.year - years, month, day, hour)

    def retro(self, offset: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
        """An instant `offset` days into the waiver window, in waves 1-2's termination days."""
        moment = at(self.window_start + days(offset), hour, minute, second)
        if not self.wave(1)["terminated_from_date"] <= moment.date() \
                <= self.wave(1)["terminated_to_date"]:
            raise CatalogueError(f"{moment} is outside the waves 1-2 termination days")
        return moment

    def applied(self, offset: int, hour: int = 10) -> dt.datetime:
        """`offset` days after the application window's first day, at `hour`."""
        return at(self.app_open.date() + days(offset), hour)

    def late(self, offset: int, hour: int = 10) -> dt.datetime:
        """`offset` days after the application window's last day, at `hour`."""
        return at(self.app_close.date() + days(offset), hour)

    def penalty(self, kind: str, start: dt.date, term: int, amount: int,
                terminated_on: dt.date) -> int:
        """P1-P3 of one agreement for a termination day, with the program's grace days."""
        subsidy, discount = (amount, None) if kind == "device_subsidy" else (None, amount)
        return expected_penalty_krw(kind, start, term, subsidy, discount, terminated_on,
                                    self.program.grace_days)

    def in_window(self, day: dt.date) -> bool:
        return self.window_start <= day <= self.window_end

    def in_population(self, activated: dt.datetime, terminated: dt.datetime | None) -> bool:
        """R1: activated before the population instant and not terminated before it."""
        return activated < self.population_as_of and (
            terminated is None or terminated >= self.population_as_of)

    def grants_in_service(self, terminated: dt.datetime | None) -> list[dt.date]:
        """R2: grant days whose 00:00 comes before the termination (a suspension aside)."""
        return [day for day in self.grants if terminated is None or at(day) < terminated]

    def notices_before(self, applied_day: dt.date | None) -> list[int]:
        """N2: reminder numbers sent before a line's first counting application day."""
        return [number for number, day in enumerate(self.reminders, start=1)
                if applied_day is None or day < applied_day]

    def ott_period(self, chosen: dt.datetime) -> tuple[dt.date, dt.date]:
        """R4: from the later of the earliest start and the 1st of the next month."""
        start = max(self.program["ott_earliest_start_date"],
                    first_day_of_next_month(chosen.date()))
        return start, add_months(start, self.program["ott_voucher_months"]) - days(1)

    def insurance_period(self, applied: dt.datetime | None) -> tuple[dt.date, dt.date]:
        """R6: from the insurance start (automatic) or the later of it and the month after
        the application; to the day before the term's anniversary."""
        start = self.program["insurance_start_date"]
        if applied is not None:
            start = max(start, first_day_of_next_month(applied.date()))
        end = add_months(start, 12 * self.program["insurance_term_years"]) - days(1)
        return start, end

    def roaming_bonus(self, base_data_mb: int) -> int:
        """R3: floor(base_data_mb * roaming_bonus_pct / 100)."""
        return base_data_mb * self.program["roaming_bonus_pct"] // 100


# ---------------------------------------------------------------------------------------
# Builder: one per case, accumulates rows and expectations

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
    cal: Calendar
    title: str | None = None
    note: str | None = None
    rows: dict[str, list[dict[str, object]]] = field(default_factory=lambda: defaultdict(list))
    expectations: list[Expectation] = field(default_factory=list)
    _events: int = 0

    @property
    def default_activated(self) -> dt.datetime:
        return self.cal.years_before_cutoff(4, 3, 10, 11)

    def _id(self, prefix: str, suffix: object) -> str:
        return f"{prefix}-EDGE-{self.case_id}-{suffix}"

    def require(self, condition: bool, message: str) -> None:
        if not condition:
            raise CatalogueError(f"case {self.case_id} cannot be placed in program "
                                 f"{self.cal.program.program_id}: {message}")

    def customer(self, suffix: object = 1, *, birth: dt.date | None | str = "default",
                 business: bool = False, person_key: str | None = None,
                 created: dt.datetime | None = None) -> str:
        customer_id = self._id("C", suffix)
        if birth == "default":
            birth = self.cal.born(40, 6, 15)
        self.rows["customers"].append({
            "customer_id": customer_id,
            "person_key": person_key or _person_key(customer_id),
            "customer_type": "business" if business else "individual",
            "full_name": "(주)엣지테스트" if business else "엣지테스트",
            "birth_date": None if business else text(birth),
            "created_at": text(created or self.cal.years_before_cutoff(11, 3, 2, 10)),
        })
        return customer_id

    def line(self, customer_id: str, suffix: object = 1, *,
             activated: dt.datetime | None = None, network: str = "kt",
             line_class: str = "phone", payment: str = "postpaid") -> str:
        line_id = self._id("L", suffix)
        activated = activated or self.default_activated
        self.rows["lines"].append({
            "line_id": line_id, "customer_id": customer_id,
            "msisdn": f"010-9999-{len(self.rows['lines']) + 1:04d}",
            "network": network,
            "mvno_brand": "kt_m_mobile" if network == "mvno" else None,
            "line_class": line_class, "payment_type": payment, "activated_at": text(activated),
        })
        self.event(line_id, "activation", activated)
        return line_id

    def event(self, line_id: str, event_type: str, moment: dt.datetime, *,
              port_out_to: str | None = None) -> str:
        self._events += 1
        event_id = self._id("E", f"{self._events:02d}")
        self.rows["contract_events"].append({
            "event_id": event_id, "line_id": line_id, "event_type": event_type,
            "event_at": text(moment), "channel": CHANNEL_BY_EVENT[event_type],
            "port_out_to": port_out_to,
        })
        return event_id

    def agreement(self, line_id: str, start: dt.date, *, kind: str = "device_subsidy",
                  term: int = 24, amount: int = 500_000, suffix: object = None) -> dict:
        agreement = {
            "agreement_id": self._id("AG", suffix or len(self.rows["agreements"]) + 1),
            "line_id": line_id, "agreement_type": kind, "start_date": text(start),
            "term_months": term,
            "subsidy_krw": amount if kind == "device_subsidy" else None,
            "monthly_discount_krw": amount if kind == "selective_discount" else None,
        }
        self.rows["agreements"].append(agreement)
        return agreement

    def terminate(self, line_id: str, moment: dt.datetime, kind: str = "termination",
                  port_out_to: str | None = None) -> str:
        if kind == "port_out" and port_out_to is None:
            port_out_to = "skt"
        return self.event(line_id, kind, moment, port_out_to=port_out_to)

    def charge(self, line_id: str, event_id: str, component: str, billed: int, paid: int,
               billed_on: dt.date) -> None:
        self.rows["penalty_charges"].append({
            "charge_id": self._id("PC", len(self.rows["penalty_charges"]) + 1),
            "line_id": line_id, "termination_event_id": event_id, "component": component,
            "billed_krw": billed, "paid_krw": paid, "billed_on": text(billed_on),
        })

    def application(self, line_id: str, moment: dt.datetime, suffix: object = 1, *,
                    channel: str = "web", matches: bool | None = True,
                    exception: str | None = None, hardship: str | None = None,
                    ended: dt.date | None = None) -> str:
        application_id = self._id("RA", suffix)
        self.rows["refund_applications"].append({
            "application_id": application_id, "line_id": line_id, "channel": channel,
            "applied_at": text(moment), "account_holder_matches": matches,
            "holder_exception": exception, "hardship_reason": hardship,
            "hardship_ended_on": text(ended),
            "bank_account_token": "tok_EDGE" + hashlib.sha256(
                application_id.encode()).hexdigest()[:12].upper(),
        })
        return application_id

    def roaming(self, line_id: str, moment: dt.datetime, base_data_mb: int,
                suffix: object) -> str:
        purchase_id = self._id("RP", suffix)
        self.rows["roaming_passes"].append({
            "purchase_id": purchase_id, "line_id": line_id,
            "pass_code": f"RP_EDGE_{base_data_mb}", "base_data_mb": base_data_mb,
            "purchased_at": text(moment),
        })
        return purchase_id

    def ott(self, line_id: str, moment: dt.datetime, service: str, suffix: object) -> str:
        choice_id = self._id("OC", suffix)
        self.rows["ott_choices"].append({
            "choice_id": choice_id, "line_id": line_id, "service": service,
            "chosen_at": text(moment),
        })
        return choice_id

    def insurance(self, customer_id: str, moment: dt.datetime, suffix: object = 1) -> str:
        application_id = self._id("IA", suffix)
        self.rows["insurance_applications"].append({
            "application_id": application_id, "customer_id": customer_id,
            "applied_at": text(moment),
        })
        return application_id

    def expect(self, mart: str, where: dict[str, object], *rows: dict[str, object]) -> None:
        self.expectations.append(Expectation(
            mart, {key: text(value) for key, value in where.items()},
            tuple({key: text(value) for key, value in row.items()} for row in rows)))

    def build(self) -> EdgeCase:
        if not self.title:
            raise CatalogueError(f"case {self.case_id} has no title")
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
    activated: dt.datetime
    terminated: dt.datetime


DEFAULT_START = "six months before the cut-off"


def penalised_line(
    b: _Builder, suffix: object = 1, *, terminated: dt.datetime, kind: str = "termination",
    port_out_to: str | None = None, customer_id: str | None = None,
    activated: dt.datetime | None = None, agreement_start: dt.date | None | str = DEFAULT_START,
    agreement_kind: str = "device_subsidy", term: int = 24, amount: int = 500_000,
    paid: str | int = "full", line_class: str = "phone", billed_delta: int = 0,
    start_event: str = "device_change",
) -> Penalised:
    """A KT postpaid line whose agreement (started by `start_event`) is clawed back.

    The waivable charge equals the P1-P3 arithmetic (plus `billed_delta`) and is billed
    on the termination date; `paid` is 'full', 'none' or an amount. The default agreement
    starts six months before the base cut-off (before it, so no W2.6 exclusion).
    """
    if agreement_start == DEFAULT_START:
        agreement_start = add_months(b.cal.cutoff.date(), -6)
    activated = activated or b.default_activated
    customer_id = customer_id or b.customer(suffix)
    line_id = b.line(customer_id, suffix, activated=activated, line_class=line_class)
    if agreement_start and agreement_start != activated.date():
        b.event(line_id, start_event, at(agreement_start, 14))
    agreement = None
    if agreement_start:
        agreement = b.agreement(line_id, agreement_start, kind=agreement_kind, term=term,
                                amount=amount)
    event_id = b.terminate(line_id, terminated, kind, port_out_to)
    billed = paid_krw = 0
    if agreement:
        billed = b.cal.penalty(agreement_kind, agreement_start, term, amount,
                               terminated.date()) + billed_delta
    if billed > 0:
        paid_krw = _paid_amount(paid, billed)
        component = "subsidy_clawback" if agreement_kind == "device_subsidy" \
            else "selective_discount_clawback"
        b.charge(line_id, event_id, component, billed, paid_krw, terminated.date())
    return Penalised(line_id, customer_id, event_id, billed, paid_krw, activated, terminated)


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


def scheduled(b: _Builder, application_id: str, wave: int, line: Penalised) -> dict:
    return {"assignment_status": "scheduled", "application_id": application_id,
            "review_reason": None, "refund_wave": wave, "payout_date": b.cal.payout(wave),
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
    b.expect("fct_refund_notices", {"line_id": line_id},
             *({"notice_number": n, "notice_date": b.cal.reminders[n - 1]} for n in numbers))


def expect_grants(b: _Builder, line_id: str, *grant_dates: dt.date) -> None:
    rows = []
    for grant in grant_dates:
        seeded = b.cal.grant(grant)
        rows.append({"period_start": grant, "period_end": add_months(grant, 1) - days(1),
                     "quantity": seeded["quantity"], "unit": seeded["unit"]})
    b.expect("fct_reward_entitlements", {"line_id": line_id, "benefit": "data_bonus"}, *rows)


def expect_membership(b: _Builder, line_id: str, entitled: bool = True) -> None:
    rows = ({"period_start": b.cal.membership_start_date,
             "period_end": b.cal.membership_end_date, "quantity": 1,
             "unit": "membership"},) if entitled else ()
    b.expect("fct_reward_entitlements", {"line_id": line_id, "benefit": "membership_discount"},
             *rows)


def expect_insurance(b: _Builder, customer_id: str,
                     period: tuple[dt.date, dt.date] | None = None,
                     detail: str | None = None) -> None:
    rows = ({"line_id": None, "period_start": period[0], "period_end": period[1],
             "quantity": 1, "unit": "policy", "detail": detail},) if period else ()
    b.expect("fct_reward_entitlements",
             {"customer_id": customer_id, "benefit": "safety_insurance"}, *rows)


def expect_ott(b: _Builder, line_id: str, service: str | None = None,
               chosen: dt.datetime | None = None) -> None:
    rows = ()
    if service:
        start, end = b.cal.ott_period(chosen)
        rows = ({"period_start": start, "period_end": end, "quantity": 1, "unit": "voucher",
                 "detail": service},)
    b.expect("fct_reward_entitlements", {"line_id": line_id, "benefit": "ott_voucher"}, *rows)


def expect_nothing(b: _Builder, line_id: str) -> None:
    b.expect("fct_reward_entitlements", {"line_id": line_id})


def active_line(b: _Builder, suffix: object = 1, *, customer_id: str | None = None,
                activated: dt.datetime | None = None, **line_kw) -> str:
    customer_id = customer_id or b.customer(suffix)
    return b.line(customer_id, suffix, activated=activated, **line_kw)


# ---------------------------------------------------------------------------------------
# The catalogue: cases register a fill function; `catalogue` runs them for a program

_FILLS: list[tuple[str, tuple[str, ...], str | None, str | None, Callable[[_Builder], None]]] = []


def case(case_id: str, rules: tuple[str, ...], title: str | None = None,
         note: str | None = None) -> Callable[[Callable[[_Builder], None]], Callable]:
    """Register a case; a title with program dates in it is set by the fill (`b.title`)."""
    def register(fill: Callable[[_Builder], None]) -> Callable:
        _FILLS.append((case_id, rules, title, note, fill))
        return fill
    return register


# --- W1: the waiver window, evaluated on KST dates ---------------------------------------


@case("W1-0831", ("W1",))
def w1_before_window(b: _Builder) -> None:
    terminated = at(b.cal.window_start) - SECOND
    b.title = f"terminated {text(terminated)} KST, one second before the window"
    line = penalised_line(b, terminated=terminated)
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id})


@case("W1-0901", ("W1", "W4"))
def w1_window_opens(b: _Builder) -> None:
    terminated = at(b.cal.window_start)
    utc = terminated - dt.timedelta(hours=9)
    b.title = f"terminated {text(terminated)} KST ({utc:%Y-%m-%d %H:%M}Z)"
    line = penalised_line(b, terminated=terminated)
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("eligible", billed=line.billed, paid=line.paid,
                    termination_type="termination", terminated_at_kst=terminated,
                    termination_event_id=line.termination_event_id))


@case("W1-0113", ("W1", "A5"))
def w1_window_closes(b: _Builder) -> None:
    terminated = b.cal.window_after - SECOND
    b.title = f"port-out {text(terminated)} KST, the window's last second"
    line = penalised_line(b, terminated=terminated, kind="port_out")
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("eligible", billed=line.billed, paid=line.paid, termination_type="port_out"))
    app = b.application(line.line_id, b.cal.applied(6))
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(b, app, 3, line))
    b.require(terminated < b.cal.population_as_of, "the window ends after the population date")
    expect_nothing(b, line.line_id)  # terminated before the population instant: not in R1


@case("W1-0114", ("W1", "R1", "R2", "R5"))
def w1_after_window(b: _Builder) -> None:
    terminated = b.cal.window_after
    utc = terminated - dt.timedelta(hours=9)
    in_population = b.cal.in_population(b.default_activated, terminated)
    b.title = (f"terminated {text(terminated)} KST ({utc:%Y-%m-%d %H:%M}Z): outside the "
               "window, " + ("but in the reward population (not terminated before that instant)"
                             if in_population else "and not in the reward population "
                             "(terminated before its instant)"))
    line = penalised_line(b, terminated=terminated, kind="port_out", port_out_to="lgu")
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id})
    if in_population:
        expect_grants(b, line.line_id, *b.cal.grants_in_service(terminated))
        expect_membership(b, line.line_id)
    else:
        expect_nothing(b, line.line_id)


@case("W1-UTC-MORNING", ("W1",))
def w1_utc_morning(b: _Builder) -> None:
    terminated = at(b.cal.window_start, 8, 30)
    utc = terminated - dt.timedelta(hours=9)
    b.title = (f"terminated {text(terminated)} KST = {utc:%Y-%m-%d %H:%M}Z: the UTC date is "
               "before the window, the KST date is inside")
    expect_eligible(b, penalised_line(b, terminated=terminated))


# --- W2: exclusions and their precedence ---------------------------------------------------


@case("W25-0831", ("W2.5",))
def w25_before_cutoff(b: _Builder) -> None:
    activated = b.cal.cutoff - SECOND
    b.title = f"activated {text(activated)}: in service before the cut-off"
    line = penalised_line(b, terminated=b.cal.retro(49, 15), activated=activated,
                          agreement_start=activated.date(), amount=550_000)
    expect_eligible(b, line)


@case("W25-0901", ("W2.5",))
def w25_at_cutoff(b: _Builder) -> None:
    activated = b.cal.cutoff
    b.title = f"activated {text(activated)}: new since the base date"
    line = penalised_line(b, terminated=b.cal.retro(49, 15), activated=activated,
                          agreement_start=activated.date(), amount=550_000)
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("excluded", "new_since_base_date", billed=line.billed, paid=line.paid))


def _device_change_at(b: _Builder, changed: dt.datetime) -> tuple[str, int]:
    customer_id = b.customer()
    line_id = b.line(customer_id)
    b.event(line_id, "device_change", changed)
    b.agreement(line_id, changed.date(), amount=480_000)
    terminated = b.cal.retro(80, 11)
    event_id = b.terminate(line_id, terminated)
    billed = b.cal.penalty("device_subsidy", changed.date(), 24, 480_000, terminated.date())
    b.charge(line_id, event_id, "subsidy_clawback", billed, billed, terminated.date())
    return line_id, billed


@case("W26-0901", ("W2.6",))
def w26_at_cutoff(b: _Builder) -> None:
    b.title = f"device change at {text(b.cal.cutoff)}, then termination"
    line_id, billed = _device_change_at(b, b.cal.cutoff)
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("excluded", "device_change_since_base_date", billed=billed, paid=billed))


@case("W26-0831", ("W2.6",))
def w26_before_cutoff(b: _Builder) -> None:
    b.title = f"device change at {text(b.cal.cutoff - SECOND)}: before the cut-off"
    line_id, billed = _device_change_at(b, b.cal.cutoff - SECOND)
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("eligible", billed=billed, paid=billed))


@case("W27-RECONTRACT", ("W2.7",))
def w27_recontract(b: _Builder) -> None:
    start = b.cal.cutoff.date() + days(30)
    b.title = f"recontract {text(start)} (selective discount), then termination"
    line = penalised_line(b, terminated=b.cal.retro(95, 16), agreement_start=start,
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
    changed = b.cal.cutoff + days(9) + dt.timedelta(hours=13)
    recontracted = b.cal.cutoff + days(39) + dt.timedelta(hours=13)
    b.event(line_id, "device_change", changed)
    b.agreement(line_id, changed.date(), amount=450_000)
    b.event(line_id, "recontract", recontracted)
    b.agreement(line_id, recontracted.date(), kind="selective_discount", amount=17_250)
    terminated = b.cal.retro(91, 12)
    event_id = b.terminate(line_id, terminated)
    billed = b.cal.penalty("selective_discount", recontracted.date(), 24, 17_250,
                           terminated.date())
    b.charge(line_id, event_id, "selective_discount_clawback", billed, billed,
             terminated.date())
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("excluded", "device_change_since_base_date", "recontract_since_base_date",
                    billed=billed, paid=billed))


@case("W2-MVNO-ALL", ("W2", "W2.1", "W2.3", "W2.4", "W2.5"),
      "MVNO prepaid phone activated after the cut-off, force-terminated: mvno wins")
def w2_mvno_everything(b: _Builder) -> None:
    customer_id = b.customer()
    line_id = b.line(customer_id, activated=b.cal.cutoff + days(14) + dt.timedelta(hours=12),
                     network="mvno", payment="prepaid")
    b.terminate(line_id, b.cal.retro(63, 3), "forced_termination")
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("excluded", "mvno", "prepaid", "forced_termination", "new_since_base_date"))


@case("W2-MVNO-IOT", ("W2", "W2.1", "W2.2"), "MVNO IoT line: mvno before iot_or_special")
def w2_mvno_iot(b: _Builder) -> None:
    customer_id = b.customer(business=True)
    line_id = b.line(customer_id, network="mvno", line_class="iot")
    b.terminate(line_id, b.cal.retro(31, 10))
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("excluded", "mvno", "iot_or_special"))


@case("W2-IOT", ("W2.2",), "KT IoT line of a business, with a monthly fee charge")
def w2_iot(b: _Builder) -> None:
    customer_id = b.customer(business=True)
    line_id = b.line(customer_id, line_class="iot")
    terminated = b.cal.retro(39, 10)
    event_id = b.terminate(line_id, terminated)
    b.charge(line_id, event_id, "monthly_fee", 3_300, 3_300, terminated.date())
    b.expect("fct_waiver_eligibility", {"line_id": line_id}, waiver("excluded", "iot_or_special"))


@case("W2-SPECIAL-FORCED", ("W2", "W2.2", "W2.4"), "KT special line force-terminated")
def w2_special_forced(b: _Builder) -> None:
    customer_id = b.customer(business=True)
    line_id = b.line(customer_id, line_class="special")
    b.terminate(line_id, b.cal.retro(91, 2, 30), "forced_termination")
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("excluded", "iot_or_special", "forced_termination"))


@case("W2-PREPAID", ("W2.3",), "KT prepaid phone ported out to LG U+")
def w2_prepaid(b: _Builder) -> None:
    customer_id = b.customer()
    line_id = b.line(customer_id, payment="prepaid")
    b.terminate(line_id, at(b.cal.window_end - days(8), 18), "port_out", "lgu")
    b.expect("fct_waiver_eligibility", {"line_id": line_id}, waiver("excluded", "prepaid"))


@case("W2-PREPAID-DC", ("W2", "W2.3", "W2.6"), "KT prepaid phone with a device change after the "
      "cut-off: prepaid first")
def w2_prepaid_device_change(b: _Builder) -> None:
    customer_id = b.customer()
    line_id = b.line(customer_id, payment="prepaid")
    b.event(line_id, "device_change", b.cal.cutoff + days(30) + dt.timedelta(hours=10))
    b.terminate(line_id, b.cal.retro(100, 10))
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("excluded", "prepaid", "device_change_since_base_date"))


@case("W2-FORCED", ("W2.4",), "KT postpaid phone force-terminated although a clawback was billed")
def w2_forced(b: _Builder) -> None:
    line = penalised_line(b, terminated=b.cal.retro(36, 4), kind="forced_termination")
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("excluded", "forced_termination", billed=line.billed, paid=line.paid,
                    termination_type="forced_termination"))


@case("W3-TABLET", ("W3",), "KT tablet (second device) is covered")
def w3_tablet(b: _Builder) -> None:
    expect_eligible(b, penalised_line(b, terminated=b.cal.retro(71, 11), line_class="tablet",
                                      amount=400_000))


@case("W3-WEARABLE", ("W3",), "KT wearable (second device) is covered")
def w3_wearable(b: _Builder) -> None:
    expect_eligible(b, penalised_line(b, terminated=b.cal.retro(72, 11),
                                      line_class="wearable", agreement_kind="selective_discount",
                                      amount=5_000))


# --- W2.8: re-joiners --------------------------------------------------------------------


def _rejoin(b: _Builder, new_activated: dt.datetime, *, network: str = "kt",
            same_customer: bool = False) -> Penalised:
    old_customer = b.customer(1)
    line = penalised_line(b, 1, terminated=b.cal.retro(39, 14), kind="port_out",
                          customer_id=old_customer)
    person_key = b.rows["customers"][0]["person_key"]
    new_customer = old_customer if same_customer else b.customer(
        2, person_key=person_key, created=new_activated)
    b.line(new_customer, 2, activated=new_activated, network=network)
    return line


@case("W28-REJOIN", ("W2.8",))
def w28_rejoin(b: _Builder) -> None:
    rejoined = b.cal.retro(110, 11)
    b.title = f"same person, new customer record, new KT line {text(rejoined.date())}"
    line = _rejoin(b, rejoined)
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("excluded", "rejoined", billed=line.billed, paid=line.paid))


@case("W28-REJOIN-LAST", ("W2.8",))
def w28_rejoin_last_second(b: _Builder) -> None:
    rejoined = b.cal.window_after - SECOND
    b.title = f"new KT line activated {text(rejoined)}: still rejoined"
    line = _rejoin(b, rejoined)
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("excluded", "rejoined", billed=line.billed, paid=line.paid))


@case("W28-REJOIN-LATE", ("W2.8",))
def w28_rejoin_late(b: _Builder) -> None:
    b.title = f"new KT line activated {text(b.cal.window_after)}: not rejoined"
    expect_eligible(b, _rejoin(b, b.cal.window_after))


@case("W28-SAME-CUSTOMER", ("W2.8",), "same customer record opens another KT line afterwards")
def w28_same_customer(b: _Builder) -> None:
    line = _rejoin(b, b.cal.retro(75, 10), same_customer=True)
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("excluded", "rejoined", billed=line.billed, paid=line.paid))


@case("W28-MVNO", ("W2.8",), "the person comes back on an MVNO line: not a KT line",
      note="'another KT line' read as network = 'kt'; an MVNO line does not count")
def w28_rejoin_mvno(b: _Builder) -> None:
    expect_eligible(b, _rejoin(b, b.cal.retro(91, 10), network="mvno"))


@case("W28-OLDER-LINE", ("W2.8",), "a second KT line activated before the termination")
def w28_older_line(b: _Builder) -> None:
    customer_id = b.customer()
    b.line(customer_id, 2, activated=b.cal.years_before_cutoff(6, 5, 5, 10))
    expect_eligible(b, penalised_line(b, 1, terminated=b.cal.retro(39, 14),
                                      customer_id=customer_id))


# --- W4 / A7: penalties billed, waivable or not ----------------------------------------


@case("W4-NO-AGREEMENT", ("W4", "A7"), "no agreement, only a monthly fee: eligible_no_penalty")
def w4_no_agreement(b: _Builder) -> None:
    customer_id = b.customer()
    line_id = b.line(customer_id)
    terminated = b.cal.retro(44, 15)
    event_id = b.terminate(line_id, terminated)
    b.charge(line_id, event_id, "monthly_fee", 35_000, 35_000, terminated.date())
    b.expect("fct_waiver_eligibility", {"line_id": line_id}, waiver("eligible_no_penalty"))
    app = b.application(line_id, b.cal.applied(1))
    expect_outcome(b, app, "not_eligible")
    b.expect("fct_refund_assignments", {"line_id": line_id})


@case("W4-EXPIRED", ("W4", "P1"), "12-month agreement ended before the termination (U >= C)")
def w4_expired(b: _Builder) -> None:
    terminated = b.cal.retro(30, 10)
    line = penalised_line(b, terminated=terminated,
                          agreement_start=add_months(terminated.date(), -17), term=12)
    b.charge(line.line_id, line.termination_event_id, "device_installment", 120_000, 0,
             terminated.date() + days(2))
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id}, waiver("eligible_no_penalty"))


@case("A7-MIXED", ("A7", "W4"), "waivable clawback plus every non-waivable component")
def a7_mixed(b: _Builder) -> None:
    terminated = b.cal.retro(65, 13)
    line = penalised_line(b, terminated=terminated, paid=150_000)
    for component, billed, paid in (("device_installment", 420_000, 0),
                                    ("bundle_clawback", 55_000, 55_000),
                                    ("plan_change_settlement", 12_300, 12_300),
                                    ("monthly_fee", 61_000, 61_000)):
        b.charge(line.line_id, line.termination_event_id, component, billed, paid,
                 terminated.date() + days(2))
    expect_eligible(b, line)
    app = b.application(line.line_id, b.cal.applied(1, 12))
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(b, app, 1, line))


@case("A7-UNPAID", ("A7", "W4"), "waivable clawback billed and not paid: refund 0, cancel all")
def a7_unpaid(b: _Builder) -> None:
    line = penalised_line(b, terminated=b.cal.retro(66, 13), paid="none")
    expect_eligible(b, line)
    app = b.application(line.line_id, b.cal.applied(1, 12))
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(b, app, 1, line))


# --- P: penalty arithmetic -----------------------------------------------------------------


def _arithmetic(b: _Builder, agreement_id: str, terminated_on: dt.date, amount: int) -> None:
    b.expect("penalty_arithmetic", {"agreement_id": agreement_id, "terminated_on": terminated_on},
             {"expected_penalty_krw": amount})


def _p4_start(b: _Builder) -> dt.date:
    """P4's agreement start: 535 days before the waiver window (the published start in
    kt_2025_12); C = 730 is required, so no 29 February may fall inside the term."""
    start = b.cal.window_start - days(535)
    b.require(add_months(start, 24) - start == days(730), "P4's C = 730 needs a common year")
    return start


def _p4_example(b: _Builder, used_days: int, kind: str, amount: int) -> Penalised:
    start = _p4_start(b)
    terminated = at(start + days(used_days), 10)
    line = penalised_line(b, terminated=terminated, activated=at(start, 12),
                          agreement_start=start, agreement_kind=kind, amount=amount)
    expected = b.cal.penalty(kind, start, 24, amount, terminated.date())
    _arithmetic(b, b.rows["agreements"][0]["agreement_id"], terminated.date(), expected)
    b.title = (f"{'selective discount' if kind == 'selective_discount' else 'subsidy'} "
               f"{amount:,}, 24 months from {text(start)}, terminated "
               f"{text(terminated.date())} (U = {used_days}): {expected:,}")
    return line


@case("P4-EX1", ("P1", "P2", "P4"), note="P4's first worked example (462,545 in kt_2025_12); "
      "terminated before the waiver window: checks lookup and reconciliation arithmetic only")
def p4_example_1(b: _Builder) -> None:
    line = _p4_example(b, 306, "device_subsidy", 600_000)
    b.require(not b.cal.in_window(line.terminated.date()), "terminated inside the window")
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id})


@case("P4-EX2", ("P2", "P4"), note="P4's second example: U = 139 <= G, the whole subsidy")
def p4_example_2(b: _Builder) -> None:
    line = _p4_example(b, 139, "device_subsidy", 600_000)
    b.require(not b.cal.in_window(line.terminated.date()), "terminated inside the window")
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id})


@case("P4-EX3", ("P3", "P4", "R2"), note="P4's third example (21,653 in kt_2025_12); the line "
      "is in the reward population and gets the data grants before its termination")
def p4_example_3(b: _Builder) -> None:
    line = _p4_example(b, 700, "selective_discount", 17_250)
    b.require(b.cal.in_population(line.activated, line.terminated), "not in the population")
    expect_grants(b, line.line_id, *b.cal.grants_in_service(line.terminated))


def _grace(b: _Builder, term: int, terminated_on: dt.date, used_days: int,
           kind: str = "device_subsidy", amount: int = 500_000) -> None:
    start = terminated_on - days(used_days)
    line = penalised_line(b, terminated=at(terminated_on, 12), agreement_start=start,
                          term=term, agreement_kind=kind, amount=amount)
    grace = b.cal.program.grace_days[term]
    label = ("selective " if kind == "selective_discount" else "") + f"{amount:,}"
    relation = "U = G" if used_days == grace else "U = G + 1"
    b.title = (f"{label}, {term} months from {text(start)}, {relation} = {used_days}: "
               f"{line.billed:,}")
    _arithmetic(b, b.rows["agreements"][0]["agreement_id"], terminated_on, line.billed)
    expect_eligible(b, line)


def _grace_case(term: int, extra_day: int, kind: str = "device_subsidy",
                amount: int = 500_000, offset: int = 0) -> Callable[[_Builder], None]:
    """U = G (+ extra_day) for a termination `offset` (+ extra_day) days into the window."""
    def fill(b: _Builder) -> None:
        grace = b.cal.program.grace_days[term]
        terminated_on = b.cal.window_start + days(offset + extra_day)
        _grace(b, term, terminated_on, grace + extra_day, kind, amount)
    return fill


case("P2-G24-AT", ("P1", "P2"))(_grace_case(24, 0))
case("P2-G24-AFTER", ("P1", "P2"))(_grace_case(24, 1))
case("P2-G12-AT", ("P1", "P2"))(_grace_case(12, 0, offset=7))
case("P2-G12-AFTER", ("P1", "P2"))(_grace_case(12, 1, offset=7))
case("P3-G12-AT", ("P1", "P3"))(_grace_case(12, 0, "selective_discount", 20_000, offset=7))
case("P3-G12-AFTER", ("P1", "P3"))(_grace_case(12, 1, "selective_discount", 20_000, offset=7))


def _term_edge(b: _Builder, start: dt.date, terminated_on: dt.date) -> None:
    line = penalised_line(b, terminated=at(terminated_on, 12), agreement_start=start)
    b.require(line.billed > 0, "the agreement has ended before the termination")
    _arithmetic(b, b.rows["agreements"][0]["agreement_id"], terminated_on, line.billed)
    expect_eligible(b, line)


@case("P1-LEAP-CLAMP", ("P1", "P2"))
def p1_leap_clamp(b: _Builder) -> None:
    start = last_leap_day(b.cal.window_start)
    end = add_months(start, 24)
    b.title = (f"24 months from {text(start)}: E clamps to {text(end)}, "
               f"C = {(end - start).days}")
    _term_edge(b, start, b.cal.window_start + days(30))


@case("P1-JAN31", ("P1", "P2"), note="12/24-month terms from the 31st never clamp (only a 29 "
      "February start does, see P1-LEAP-CLAMP); this pins C across a leap year")
def p1_jan31(b: _Builder) -> None:
    start = dt.date(last_leap_day(b.cal.window_start).year, 1, 31)
    end = add_months(start, 24)
    b.title = f"24 months from {text(start)}: E = {text(end)}, C = {(end - start).days}"
    _term_edge(b, start, b.cal.window_start + days(91))


@case("P1-TIE", ("P1",), "two agreements start the same day: the greater agreement_id is in "
      "force (selective discount)")
def p1_tie(b: _Builder) -> None:
    customer_id = b.customer()
    line_id = b.line(customer_id)
    start = b.cal.window_start - days(104)
    b.event(line_id, "device_change", at(start, 10))
    b.agreement(line_id, start, amount=500_000, suffix=1)
    b.event(line_id, "recontract", at(start, 15))
    b.agreement(line_id, start, kind="selective_discount", amount=17_250, suffix=2)
    terminated = b.cal.retro(39, 12)
    event_id = b.terminate(line_id, terminated)
    billed = b.cal.penalty("selective_discount", start, 24, 17_250, terminated.date())
    b.charge(line_id, event_id, "selective_discount_clawback", billed, billed, terminated.date())
    _arithmetic(b, b.rows["agreements"][1]["agreement_id"], terminated.date(), billed)
    b.expect("fct_waiver_eligibility", {"line_id": line_id},
             waiver("eligible", billed=billed, paid=billed))


@case("P-BILLING-DIFFERS", ("A7", "P1", "P2"), "billing charged 3,000 won more than the "
      "arithmetic: billing is the truth for refunds, reconciliation shows the difference")
def p_billing_differs(b: _Builder) -> None:
    terminated = b.cal.retro(50, 12)
    line = penalised_line(b, terminated=terminated, billed_delta=3_000)
    expected = b.cal.penalty("device_subsidy", add_months(b.cal.cutoff.date(), -6), 24, 500_000,
                             terminated.date())
    _arithmetic(b, b.rows["agreements"][0]["agreement_id"], terminated.date(), expected)
    expect_eligible(b, line)


@case("P5-LEAP", ("P5", "P1", "P2"))
def p5_leap(b: _Builder) -> None:
    as_of = b.cal.lookup_as_of
    start = last_leap_day(as_of)
    b.require(start < b.cal.cutoff.date(), "the leap-day agreement is after the cut-off")
    line_id = active_line(b)
    b.event(line_id, "device_change", at(start, 14))
    agreement = b.agreement(line_id, start)
    expected = b.cal.penalty("device_subsidy", start, 24, 500_000, as_of)
    used = (as_of - start).days
    b.require(expected > 0, "the leap-day agreement has ended by the lookup date")
    b.title = (f"active line, 24 months from {text(start)}, lookup as of {text(as_of)}: "
               f"U = {used}, R = {(add_months(start, 24) - as_of).days} -> {expected:,}")
    b.expect("fct_penalty_lookup", {"line_id": line_id, "as_of_date": as_of},
             {"would_be_eligible": True, "exclusion_reason": None,
              "agreement_id": agreement["agreement_id"], "expected_subsidy_clawback_krw": expected,
              "expected_selective_discount_clawback_krw": 0,
              "expected_waivable_penalty_krw": expected})


@case("P5-DEVICE-CHANGE", ("P5", "W2.6"))
def p5_device_change(b: _Builder) -> None:
    changed = b.cal.cutoff + days(34) + dt.timedelta(hours=10)
    b.require(changed.date() <= b.cal.lookup_as_of, "the device change is after the lookup date")
    b.title = f"active line with a device change {text(changed.date())}"
    line_id = active_line(b)
    b.event(line_id, "device_change", changed)
    agreement = b.agreement(line_id, changed.date(), amount=450_000)
    expected = b.cal.penalty("device_subsidy", changed.date(), 24, 450_000, b.cal.lookup_as_of)
    b.expect("fct_penalty_lookup", {"line_id": line_id, "as_of_date": b.cal.lookup_as_of},
             {"would_be_eligible": False, "exclusion_reason": "device_change_since_base_date",
              "agreement_id": agreement["agreement_id"],
              "expected_subsidy_clawback_krw": expected,
              "expected_selective_discount_clawback_krw": 0,
              "expected_waivable_penalty_krw": expected})


@case("P5-ASOF-EDGES", ("P5",))
def p5_as_of_edges(b: _Builder) -> None:
    as_of = b.cal.lookup_as_of
    b.title = (f"activated {text(at(as_of, 23, 59, 59))} is in the lookup (new); terminated "
               f"{text(as_of)} 10:00 is not; an MVNO line never is")
    late = active_line(b, 1, activated=at(as_of, 23, 59, 59))
    b.expect("fct_penalty_lookup", {"line_id": late, "as_of_date": as_of},
             {"would_be_eligible": False, "exclusion_reason": "new_since_base_date",
              "agreement_id": None, "expected_waivable_penalty_krw": 0})
    gone = active_line(b, 2)
    b.terminate(gone, at(as_of, 10))
    b.expect("fct_penalty_lookup", {"line_id": gone, "as_of_date": as_of})
    mvno = active_line(b, 3, network="mvno")
    b.expect("fct_penalty_lookup", {"line_id": mvno, "as_of_date": as_of})


# --- A: applications, waves, outcomes ------------------------------------------------------


def _applicant(b: _Builder, terminated: dt.datetime | None = None, **kw) -> Penalised:
    line = penalised_line(b, terminated=terminated or b.cal.retro(44, 15), **kw)
    expect_eligible(b, line)
    return line


@case("A2-0859", ("A2", "A6", "N2"))
def a2_before_window(b: _Builder) -> None:
    applied = b.cal.app_open - SECOND
    b.title = (f"only application at {text(applied)}: before_window, so the line is not "
               "applied and gets all three reminders")
    line = _applicant(b)
    app = b.application(line.line_id, applied)
    expect_outcome(b, app, "before_window")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, not_applied(line))
    expect_notices(b, line.line_id, *b.cal.notices_before(None))


@case("A2-0900", ("A2", "A5"))
def a2_window_opens(b: _Builder) -> None:
    b.title = f"application at {text(b.cal.app_open)}: accepted, wave 1"
    line = _applicant(b)
    app = b.application(line.line_id, b.cal.app_open)
    expect_outcome(b, app, "accepted")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(b, app, 1, line))
    expect_notices(b, line.line_id)


@case("A5-0118", ("A5",))
def a5_wave1_last_second(b: _Builder) -> None:
    applied = b.cal.wave(2)["applied_from_kst"] - SECOND
    b.title = f"application at {text(applied)}: wave 1"
    line = _applicant(b)
    app = b.application(line.line_id, applied)
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(b, app, 1, line))


@case("A5-0119", ("A5",))
def a5_wave2_first_second(b: _Builder) -> None:
    applied = b.cal.wave(2)["applied_from_kst"]
    b.title = f"application at {text(applied)}: wave 2"
    line = _applicant(b)
    app = b.application(line.line_id, applied)
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(b, app, 2, line))


@case("A2-2200", ("A2", "A5"))
def a2_window_closes(b: _Builder) -> None:
    b.title = f"application at {text(b.cal.app_close)}: on time, wave 2"
    line = _applicant(b)
    app = b.application(line.line_id, b.cal.app_close)
    expect_outcome(b, app, "accepted")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(b, app, 2, line))


@case("A2-220001", ("A2", "A4", "N2"))
def a2_late_first_second(b: _Builder) -> None:
    applied = b.cal.app_close + SECOND
    b.title = (f"application at {text(applied)}: late; dated {applied:%m-%d}, so no "
               "reminders")
    line = _applicant(b)
    app = b.application(line.line_id, applied)
    expect_outcome(b, app, "manual_review")
    b.expect("fct_refund_assignments", {"line_id": line.line_id},
             manual(app, "late_application", line))
    expect_notices(b, line.line_id, *b.cal.notices_before(applied.date()))


@case("A5-1231-W1", ("A5",))
def a5_1231_wave1(b: _Builder) -> None:
    terminated = at(b.cal.wave(1)["terminated_to_date"], 10)
    applied = b.cal.applied(2)
    b.title = (f"terminated {text(terminated.date())}, applied {text(applied.date())}: wave 1 "
               "(not 3)")
    line = _applicant(b, terminated=terminated, kind="port_out")
    app = b.application(line.line_id, applied)
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(b, app, 1, line))


@case("A5-1231-W2", ("A5",))
def a5_1231_wave2(b: _Builder) -> None:
    terminated = at(b.cal.wave(1)["terminated_to_date"], 23, 59, 59)
    applied = b.cal.applied(11)
    b.title = f"terminated {text(terminated.date())}, applied {text(applied.date())}: wave 2"
    line = _applicant(b, terminated=terminated, kind="port_out", port_out_to="mvno")
    app = b.application(line.line_id, applied)
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(b, app, 2, line))


@case("A5-0101-W3", ("A5",))
def a5_0101_wave3(b: _Builder) -> None:
    terminated = at(b.cal.wave(3)["terminated_from_date"])
    utc = terminated - dt.timedelta(hours=9)
    applied = b.cal.applied(1)
    b.title = (f"terminated {text(terminated)} KST ({utc:%Y-%m-%d %H:%M}Z), applied "
               f"{text(applied.date())}: wave 3")
    line = _applicant(b, terminated=terminated, kind="port_out", port_out_to="lgu")
    app = b.application(line.line_id, applied)
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(b, app, 3, line))


@case("A5-0110-W3", ("A5",))
def a5_0110_wave3(b: _Builder) -> None:
    terminated = at(b.cal.window_end - days(3), 10)
    applied = b.cal.applied(16)
    b.title = f"terminated {text(terminated.date())}, applied {text(applied.date())}: wave 3"
    line = _applicant(b, terminated=terminated)
    app = b.application(line.line_id, applied)
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(b, app, 3, line))


@case("A6-TIE", ("A6",), "two applications at the same instant: the smaller application_id wins")
def a6_tie(b: _Builder) -> None:
    line = _applicant(b)
    first = b.application(line.line_id, b.cal.applied(2), 1, channel="web")
    second = b.application(line.line_id, b.cal.applied(2), 2, channel="call_center")
    expect_outcome(b, first, "accepted")
    expect_outcome(b, second, "duplicate")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(b, first, 1, line))


@case("A6-TRIPLE", ("A6",), "three on-time applications: the earliest is accepted")
def a6_triple(b: _Builder) -> None:
    line = _applicant(b)
    apps = [b.application(line.line_id, b.cal.applied(offset), n, channel=channel)
            for n, offset, channel in ((1, 7, "store"), (2, 6, "web"), (3, 8, "call_center"))]
    expect_outcome(b, apps[1], "accepted")
    expect_outcome(b, apps[0], "duplicate")
    expect_outcome(b, apps[2], "duplicate")
    b.expect("fct_refund_assignments", {"line_id": line.line_id},
             scheduled(b, apps[1], 2, line))


@case("A6-BEFORE-THEN-ON-TIME", ("A6", "N2"))
def a6_before_then_on_time(b: _Builder) -> None:
    early_at, again_at = b.cal.applied(-4), b.cal.applied(6)
    b.title = (f"applied {text(early_at.date())} (before_window) and again "
               f"{text(again_at.date())}: accepted in wave 2, no reminders")
    line = _applicant(b)
    early = b.application(line.line_id, early_at, 1)
    again = b.application(line.line_id, again_at, 2)
    expect_outcome(b, early, "before_window")
    expect_outcome(b, again, "accepted")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(b, again, 2, line))
    expect_notices(b, line.line_id)


@case("A6-BEFORE-THEN-LATE", ("A6", "A4"), "before_window, then a late application")
def a6_before_then_late(b: _Builder) -> None:
    line = _applicant(b)
    early = b.application(line.line_id, b.cal.applied(-9), 1)
    late = b.application(line.line_id, b.cal.late(3), 2)
    expect_outcome(b, early, "before_window")
    expect_outcome(b, late, "manual_review")
    b.expect("fct_refund_assignments", {"line_id": line.line_id},
             manual(late, "late_application", line))


@case("A6-MISMATCH-THEN-MATCH", ("A3", "A6"), "an unpayable (holder mismatch) application, then "
      "a payable one: the payable one is accepted")
def a6_mismatch_then_match(b: _Builder) -> None:
    line = _applicant(b)
    first = b.application(line.line_id, b.cal.applied(1), 1, matches=False)
    second = b.application(line.line_id, b.cal.applied(3), 2)
    expect_outcome(b, first, "duplicate")
    expect_outcome(b, second, "accepted")
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(b, second, 1, line))


@case("A6-MISMATCH-THEN-LATE", ("A3", "A6"), "holder mismatch on time, then a late application: "
      "manual review on the first, for the mismatch")
def a6_mismatch_then_late(b: _Builder) -> None:
    line = _applicant(b)
    first = b.application(line.line_id, b.cal.applied(6), 1, matches=False)
    late = b.application(line.line_id, b.cal.late(5), 2)
    expect_outcome(b, first, "manual_review")
    expect_outcome(b, late, "duplicate")
    b.expect("fct_refund_assignments", {"line_id": line.line_id},
             manual(first, "account_holder_mismatch", line))
    expect_notices(b, line.line_id)


@case("A6-UNPAYABLE-TIE", ("A3", "A6"), "two mismatching applications at the same instant")
def a6_unpayable_tie(b: _Builder) -> None:
    line = _applicant(b)
    first = b.application(line.line_id, b.cal.applied(9), 1, matches=False)
    second = b.application(line.line_id, b.cal.applied(9), 2, matches=None)
    expect_outcome(b, first, "manual_review")
    expect_outcome(b, second, "duplicate")


def _holder(matches: bool | None, exception: str | None,
            payable: bool) -> Callable[[_Builder], None]:
    def fill(b: _Builder) -> None:
        line = _applicant(b)
        app = b.application(line.line_id, b.cal.applied(6), matches=matches,
                            exception=exception)
        if payable:
            expect_outcome(b, app, "accepted")
            b.expect("fct_refund_assignments", {"line_id": line.line_id},
                     scheduled(b, app, 2, line))
        else:
            expect_outcome(b, app, "manual_review")
            b.expect("fct_refund_assignments", {"line_id": line.line_id},
                     manual(app, "account_holder_mismatch", line))
    return fill


case("A3-MINOR", ("A3",), "account not in the holder's name, exception minor: paid")(
    _holder(False, "minor", True))
case("A3-CORPORATE", ("A3",), "account not in the holder's name, exception corporate: paid")(
    _holder(False, "corporate", True))
case("A3-MISMATCH", ("A3",), "account not in the holder's name, no exception: manual review")(
    _holder(False, None, False))
case("A3-NULL-MATCH", ("A3",), "account_holder_matches null, no exception: a mismatch")(
    _holder(None, None, False))
case("A3-NULL-MATCH-MINOR", ("A3",), "account_holder_matches null with exception minor: paid",
     note="null counts as a mismatch, and a mismatch with exception minor is paid")(
    _holder(None, "minor", True))


def _hardship_end(b: _Builder) -> dt.date:
    return b.cal.app_close.date() + days(1)


@case("A4-MILITARY-D14", ("A4", "N2"))
def a4_military_day_14(b: _Builder) -> None:
    ended = _hardship_end(b)
    grace = b.cal.hardship_grace_days
    applied = at(ended + days(grace), 23, 59, 59)
    notices = b.cal.notices_before(applied.date())
    b.title = (f"military service ended {text(ended)}, applied {text(applied)} (ended + "
               f"{grace} days): hardship extension; reminded {len(notices)} time(s) "
               f"({', '.join(f'{b.cal.reminders[n - 1]:%m-%d}' for n in notices)})")
    line = _applicant(b)
    app = b.application(line.line_id, applied, hardship="military", ended=ended)
    expect_outcome(b, app, "manual_review")
    b.expect("fct_refund_assignments", {"line_id": line.line_id},
             manual(app, "hardship_extension", line))
    expect_notices(b, line.line_id, *notices)


@case("A4-MILITARY-D15", ("A4",))
def a4_military_day_15(b: _Builder) -> None:
    ended = _hardship_end(b)
    applied = at(ended + days(b.cal.hardship_grace_days + 1))
    b.title = f"military service ended {text(ended)}, applied {text(applied)}: late application"
    line = _applicant(b)
    app = b.application(line.line_id, applied, hardship="military", ended=ended)
    b.expect("fct_refund_assignments", {"line_id": line.line_id},
             manual(app, "late_application", line))


@case("A4-ABROAD", ("A4",))
def a4_abroad(b: _Builder) -> None:
    ended, applied = b.cal.applied(11).date(), b.cal.late(3)
    b.require(applied.date() <= ended + days(b.cal.hardship_grace_days), "too late")
    b.title = f"stay abroad ended {text(ended)}, applied {text(applied.date())}: hardship"
    line = _applicant(b)
    app = b.application(line.line_id, applied, hardship="abroad", ended=ended)
    b.expect("fct_refund_assignments", {"line_id": line.line_id},
             manual(app, "hardship_extension", line))


@case("A4-HARDSHIP-ON-TIME", ("A4",), "hardship fields on an on-time application: accepted")
def a4_hardship_on_time(b: _Builder) -> None:
    line = _applicant(b)
    app = b.application(line.line_id, b.cal.applied(8), hardship="abroad",
                        ended=b.cal.applied(-4).date())
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, scheduled(b, app, 2, line))


@case("A4-LATE-0210", ("A4", "N2"))
def a4_late_0210(b: _Builder) -> None:
    applied = at(b.cal.reminders[0] + days(1), 10)
    b.title = f"plain late application {text(applied.date())}: late_application, notice 1 only"
    line = _applicant(b)
    app = b.application(line.line_id, applied)
    b.expect("fct_refund_assignments", {"line_id": line.line_id},
             manual(app, "late_application", line))
    expect_notices(b, line.line_id, 1)


@case("N2-0209", ("N2",))
def n2_0209(b: _Builder) -> None:
    applied = at(b.cal.reminders[0], 10)
    b.title = (f"late application dated {text(applied.date())} (a reminder date): "
               "no reminders")
    line = _applicant(b)
    b.application(line.line_id, applied)
    expect_notices(b, line.line_id)


@case("N2-0223", ("N2",))
def n2_0223(b: _Builder) -> None:
    applied = at(b.cal.reminders[1], 10)
    b.title = f"late application dated {text(applied.date())}: notice 1 only"
    line = _applicant(b)
    b.application(line.line_id, applied)
    expect_notices(b, line.line_id, 1)


@case("N2-0224", ("N2",))
def n2_0224(b: _Builder) -> None:
    applied = at(b.cal.reminders[1] + days(1), 10)
    b.title = f"late application dated {text(applied.date())}: notices 1 and 2"
    line = _applicant(b)
    b.application(line.line_id, applied)
    expect_notices(b, line.line_id, 1, 2)


@case("N2-NONE", ("N2", "A6"), "eligible line that never applies: not_applied, three reminders")
def n2_never(b: _Builder) -> None:
    line = _applicant(b)
    b.expect("fct_refund_assignments", {"line_id": line.line_id}, not_applied(line))
    expect_notices(b, line.line_id, *b.cal.notices_before(None))


@case("N2-NOT-ELIGIBLE", ("N2",), "excluded lines get no reminders")
def n2_not_eligible(b: _Builder) -> None:
    line = penalised_line(b, terminated=b.cal.retro(36, 4), kind="forced_termination")
    expect_notices(b, line.line_id)


@case("A6-UNKNOWN-LINE", ("A6",), "applications to a line that does not exist (one of them "
      "before the window): unknown_line first")
def a6_unknown_line(b: _Builder) -> None:
    ghost = b._id("L", "GHOST")
    expect_outcome(b, b.application(ghost, b.cal.applied(6), 1), "unknown_line")
    expect_outcome(b, b.application(ghost, b.cal.applied(-4), 2), "unknown_line")


@case("A6-EXCLUDED-LINE", ("A6",), "applications to an excluded line (one before the window): "
      "not_eligible first")
def a6_excluded_line(b: _Builder) -> None:
    activated = b.cal.cutoff + days(1) + dt.timedelta(hours=10)
    line = penalised_line(b, terminated=b.cal.retro(49, 15), activated=activated,
                          agreement_start=activated.date())
    b.expect("fct_waiver_eligibility", {"line_id": line.line_id},
             waiver("excluded", "new_since_base_date", billed=line.billed, paid=line.paid))
    expect_outcome(b, b.application(line.line_id, b.cal.applied(6), 1), "not_eligible")
    expect_outcome(b, b.application(line.line_id, b.cal.applied(-4), 2), "not_eligible")
    b.expect("fct_refund_assignments", {"line_id": line.line_id})


@case("A6-ACTIVE-LINE", ("A6",), "application from a line that never terminated: not_eligible")
def a6_active_line(b: _Builder) -> None:
    line_id = active_line(b)
    expect_outcome(b, b.application(line_id, b.cal.applied(6)), "not_eligible")


@case("A6-OUTSIDE-WINDOW", ("A6", "W1"))
def a6_outside_window(b: _Builder) -> None:
    terminated = at(b.cal.window_start - days(12), 10)
    b.title = f"application for a line terminated {text(terminated.date())}"
    line = penalised_line(b, terminated=terminated)
    expect_outcome(b, b.application(line.line_id, b.cal.applied(6)), "not_eligible")


# --- R: rewards ----------------------------------------------------------------------------


@case("R2-SUSPENDED", ("R2",))
def r2_suspended(b: _Builder) -> None:
    grants = b.cal.grants
    suspended, resumed = at(grants[0] + days(19), 10), at(grants[2] + days(9), 10)
    b.title = (f"suspended {text(suspended.date())} .. {text(resumed.date())}: no grants on "
               f"{grants[1]:%m-%d}, {grants[2]:%m-%d}")
    line_id = active_line(b)
    b.event(line_id, "suspension", suspended)
    b.event(line_id, "suspension_end", resumed)
    expect_grants(b, line_id, grants[0], *grants[3:])
    expect_membership(b, line_id)


@case("R2-SUSPENSION-ENDS-0000", ("R2",), note="assumes a state change takes effect at its "
      "instant, so at 00:00:00 the line is no longer suspended")
def r2_suspension_ends_midnight(b: _Builder) -> None:
    grants = b.cal.grants
    b.title = (f"suspension ends at {text(at(grants[3]))}: the {grants[3]:%m-%d} grant is "
               "given")
    line_id = active_line(b)
    b.event(line_id, "suspension", at(grants[2] + days(14), 10))
    b.event(line_id, "suspension_end", at(grants[3]))
    expect_grants(b, line_id, *grants)


@case("R2-SUSPENSION-STARTS-0000", ("R2",), note="as R2-SUSPENSION-ENDS-0000: a suspension at "
      "00:00:00 is in effect at that instant")
def r2_suspension_starts_midnight(b: _Builder) -> None:
    grants = b.cal.grants
    b.title = (f"suspended from {text(at(grants[4]))}, never resumed: grants "
               f"{grants[0]:%m-%d} .. {grants[3]:%m-%d}")
    line_id = active_line(b)
    b.event(line_id, "suspension", at(grants[4]))
    expect_grants(b, line_id, *grants[:4])


@case("R2-TERMINATED-0315", ("R2", "R3", "R4", "R5"),
      note="R5 gives membership to every population line; the rules do not end it at "
      "termination")
def r2_terminated_0315(b: _Builder) -> None:
    roaming_from = b.cal.roaming_window_start_date
    terminated = at(roaming_from + days(14), 12)
    chosen = at(roaming_from + days(31), 10)
    grants = b.cal.grants_in_service(terminated)
    b.title = (f"terminated {text(terminated.date())}: grants "
               f"{' and '.join(f'{day:%m-%d}' for day in grants)} only; OTT chosen afterwards "
               "still valid; a pass bought afterwards is not")
    line_id = active_line(b)
    bought_at = at(roaming_from + days(9), 9)
    bought = b.roaming(line_id, bought_at, 3072, 1)
    b.roaming(line_id, at(roaming_from + days(32), 9), 1024, 2)
    b.terminate(line_id, terminated)
    b.ott(line_id, chosen, "disney_plus", 1)
    expect_grants(b, line_id, *grants)
    b.expect("fct_reward_entitlements", {"line_id": line_id, "benefit": "roaming_bonus"},
             {"period_start": bought_at.date(), "period_end": bought_at.date(),
              "quantity": b.cal.roaming_bonus(3072), "unit": "MB", "detail": bought})
    expect_ott(b, line_id, "disney_plus", chosen)
    expect_membership(b, line_id)


@case("R1-ACT-0113", ("R1", "R2", "R5"))
def r1_activated_last_second(b: _Builder) -> None:
    activated = b.cal.population_as_of - SECOND
    b.title = f"activated {text(activated)}: in the population"
    line_id = active_line(b, activated=activated)
    expect_grants(b, line_id, *b.cal.grants)
    expect_membership(b, line_id)


@case("R1-ACT-0114", ("R1",))
def r1_activated_first_second(b: _Builder) -> None:
    activated = b.cal.population_as_of
    b.title = f"activated {text(activated)}: not in the population"
    line_id = active_line(b, activated=activated)
    b.ott(line_id, at(b.cal.ott_earliest_start_date + days(1), 10), "tving", 1)
    b.roaming(line_id, at(b.cal.roaming_window_start_date + days(4), 10), 1024, 1)
    expect_nothing(b, line_id)


@case("R2-PREPAID", ("R2", "R5"), "KT prepaid phone: no data bonus, membership yes",
      note="R5 excludes only iot/special, so a prepaid line keeps the membership discount")
def r2_prepaid(b: _Builder) -> None:
    line_id = active_line(b, payment="prepaid")
    expect_grants(b, line_id)
    expect_membership(b, line_id)


def _try_rewards(b: _Builder, line_id: str) -> None:
    """A roaming pass in the roaming window and an OTT choice on the earliest voucher day."""
    b.roaming(line_id, at(b.cal.roaming_window_start_date + days(31), 10), 1024, 1)
    b.ott(line_id, at(b.cal.ott_earliest_start_date, 10), "tving", 1)


@case("R2-IOT", ("R2", "R3", "R4", "R5", "R6"), "KT IoT line of a business: nothing at all")
def r2_iot(b: _Builder) -> None:
    customer_id = b.customer(business=True)
    line_id = b.line(customer_id, line_class="iot")
    _try_rewards(b, line_id)
    expect_nothing(b, line_id)
    expect_insurance(b, customer_id)


@case("R1-MVNO", ("R1", "R6"))
def r1_mvno(b: _Builder) -> None:
    birth = b.cal.born(75, 3, 3)
    b.title = f"MVNO phone of a {completed_years(birth, b.cal.insurance_age_reference_date)}" \
        "-year-old: no entitlements, no insurance"
    customer_id = b.customer(birth=birth)
    line_id = b.line(customer_id, network="mvno")
    _try_rewards(b, line_id)
    expect_nothing(b, line_id)
    expect_insurance(b, customer_id)


@case("R3-ROAMING-EDGES", ("R3",))
def r3_roaming_edges(b: _Builder) -> None:
    first = at(b.cal.roaming_window_start_date)
    after = at(b.cal.roaming_window_end_date + days(1))
    b.title = (f"passes at {first - SECOND:%m-%d %H:%M:%S} / {first:%m-%d %H:%M:%S} / "
               f"{after - SECOND:%m-%d %H:%M:%S} / {after:%m-%d %H:%M:%S} KST with odd sizes "
               "(999, 1537 MB)")
    line_id = active_line(b)
    b.roaming(line_id, first - SECOND, 999, 1)
    opening = b.roaming(line_id, first, 999, 2)
    closing = b.roaming(line_id, after - SECOND, 1537, 3)
    b.roaming(line_id, after, 1537, 4)
    b.expect("fct_reward_entitlements", {"line_id": line_id, "benefit": "roaming_bonus"},
             {"period_start": first.date(), "period_end": first.date(),
              "quantity": b.cal.roaming_bonus(999), "unit": "MB", "detail": opening},
             {"period_start": (after - SECOND).date(), "period_end": (after - SECOND).date(),
              "quantity": b.cal.roaming_bonus(1537), "unit": "MB", "detail": closing})


def _ott_case(*choices: tuple[Callable[[Calendar], dt.datetime], str],
              winner: int | None) -> Callable[[_Builder], None]:
    """OTT choices (instant from the calendar, service); `winner` indexes the valid one."""
    def fill(b: _Builder) -> None:
        line_id = active_line(b)
        placed = [(moment(b.cal), service) for moment, service in choices]
        for n, (chosen, service) in enumerate(placed, start=1):
            b.ott(line_id, chosen, service, n)
        if winner is None:
            expect_ott(b, line_id)
            b.title = f"chosen {text(placed[0][0])}: rejected"
            return
        chosen, service = placed[winner]
        start, end = b.cal.ott_period(chosen)
        expect_ott(b, line_id, service, chosen)
        if not b.title:
            b.title = f"{service} chosen {text(chosen)}: {text(start)} .. {text(end)}"
    return fill


def _earliest(offset: int, hour: int = 10, months: int = 0) -> Callable[[Calendar], dt.datetime]:
    return lambda cal: at(add_months(cal.ott_earliest_start_date, months) + days(offset), hour)


def _deadline(seconds: int) -> Callable[[Calendar], dt.datetime]:
    return lambda cal: at(cal.ott_choice_deadline_date + days(1)) + dt.timedelta(seconds=seconds)


case("R4-0120", ("R4",))(_ott_case((_earliest(-12), "tving"), winner=0))
case("R4-0315", ("R4",))(_ott_case((_earliest(14, months=1), "disney_plus"), winner=0))
case("R4-NETFLIX-THEN-TVING", ("R4",), "netflix (rejected), then TVING two days later")(
    _ott_case((_earliest(2), "netflix"), (_earliest(4), "tving"), winner=1))
case("R4-SECOND-CHOICE", ("R4",), "TVING, then Disney+: the first valid choice wins")(
    _ott_case((_earliest(9), "tving"), (_earliest(0, months=1), "disney_plus"), winner=0))
case("R4-DEADLINE", ("R4",), "chosen on the deadline at 23:59:59: valid")(
    _ott_case((_deadline(-1), "tving"), winner=0))
case("R4-AFTER-DEADLINE", ("R4",))(_ott_case((_deadline(0), "tving"), winner=None))
case("R4-EARLY", ("R4",), "chosen before the earliest voucher start: starts on it")(
    _ott_case((_earliest(-18), "disney_plus"), winner=0))


def _insured(b: _Builder, birth: dt.date, *applications: dt.datetime) -> str:
    customer_id = b.customer(birth=birth)
    b.line(customer_id)
    for n, moment in enumerate(applications, start=1):
        b.insurance(customer_id, moment, n)
    return customer_id


def _age(b: _Builder, birth: dt.date) -> int:
    return completed_years(birth, b.cal.insurance_age_reference_date)


@case("R6-19610113", ("R6",))
def r6_turns_the_age(b: _Builder) -> None:
    reference = b.cal.insurance_age_reference_date
    birth = b.cal.born(b.cal.insurance_auto_min_age, reference.month, reference.day)
    b.title = (f"born {text(birth)}: {_age(b, birth)} on {text(reference)}, insured "
               "automatically")
    expect_insurance(b, _insured(b, birth), b.cal.insurance_period(None), "auto")


@case("R6-19610114", ("R6",))
def r6_one_day_short(b: _Builder) -> None:
    reference = b.cal.insurance_age_reference_date
    birth = b.cal.born(b.cal.insurance_auto_min_age, reference.month, reference.day) + days(1)
    b.title = f"born {text(birth)}: {_age(b, birth)}, no application, not insured"
    expect_insurance(b, _insured(b, birth))


@case("R6-19600229", ("R6",))
def r6_leap_birthday(b: _Builder) -> None:
    birth = last_leap_day(b.cal.born(b.cal.insurance_auto_min_age, 3, 1))
    b.title = f"born {text(birth)}: {_age(b, birth)}, insured automatically"
    b.require(_age(b, birth) >= b.cal.insurance_auto_min_age, "the leap birthday is too young")
    expect_insurance(b, _insured(b, birth), b.cal.insurance_period(None), "auto")


@case("R6-APPLY-0315", ("R6",))
def r6_application(b: _Builder) -> None:
    birth = b.cal.born(45, 7, 7)
    applied = at(add_months(b.cal.insurance_start_date, 1) + days(14), 10)
    period = b.cal.insurance_period(applied)
    b.title = (f"aged {_age(b, birth)}, applied {text(applied.date())}: cover "
               f"{text(period[0])} .. {text(period[1])}")
    expect_insurance(b, _insured(b, birth, applied), period, "application")


@case("R6-APPLY-TWICE", ("R6",))
def r6_application_twice(b: _Builder) -> None:
    first = at(b.cal.insurance_start_date - days(12), 10)
    second = at(b.cal.insurance_start_date + days(9), 10)
    b.title = f"applied {text(first.date())} and {text(second.date())}: the first wins"
    customer_id = _insured(b, b.cal.born(45, 7, 7), first, second)
    expect_insurance(b, customer_id, b.cal.insurance_period(first), "application")


@case("R6-SENIOR-APPLIES", ("R6",), "aged 70 and also applied: the automatic policy only")
def r6_senior_applies(b: _Builder) -> None:
    applied = at(add_months(b.cal.insurance_start_date, 1) + days(9), 10)
    customer_id = _insured(b, b.cal.born(70, 5, 5), applied)
    expect_insurance(b, customer_id, b.cal.insurance_period(None), "auto")


@case("R6-BUSINESS", ("R6", "R2"), "business customer with a phone and an IoT line: the phone "
      "gets data, the business no insurance")
def r6_business(b: _Builder) -> None:
    customer_id = b.customer(business=True)
    phone = b.line(customer_id, 1)
    iot = b.line(customer_id, 2, line_class="iot")
    expect_grants(b, phone, *b.cal.grants)
    expect_nothing(b, iot)
    expect_insurance(b, customer_id)


@case("R6-SEVERAL-LINES", ("R6", "R2"), "a 68-year-old with a phone, a tablet and a wearable: "
      "one policy, data on every line")
def r6_several_lines(b: _Builder) -> None:
    customer_id = b.customer(birth=b.cal.born(68, 1, 1))
    for n, line_class in enumerate(("phone", "tablet", "wearable"), start=1):
        expect_grants(b, b.line(customer_id, n, line_class=line_class), *b.cal.grants)
    expect_insurance(b, customer_id, b.cal.insurance_period(None), "auto")


@case("R6-NO-POPULATION-LINE", ("R6", "R1"))
def r6_no_population_line(b: _Builder) -> None:
    terminated = at(b.cal.window_start - days(92), 10)
    b.title = f"applicant whose only line ended {text(terminated.date())}"
    customer_id = b.customer(birth=b.cal.born(45, 7, 7))
    line_id = b.line(customer_id)
    b.terminate(line_id, terminated)
    b.insurance(customer_id, at(add_months(b.cal.insurance_start_date, 1), 10))
    expect_insurance(b, customer_id)


@case("R6-TWO-RECORDS", ("R6",), "one 70-year-old person with two customer records, each with a "
      "population line: one policy per customer record",
      note="R6 says one policy per customer record (customer_id), not per person")
def r6_two_records(b: _Builder) -> None:
    birth = b.cal.born(70, 5, 5)
    first = b.customer(1, birth=birth)
    second = b.customer(2, birth=birth, person_key=b.rows["customers"][0]["person_key"])
    b.line(first, 1)
    b.line(second, 2, activated=b.cal.years_before_cutoff(2, 4, 4, 10))
    expect_insurance(b, first, b.cal.insurance_period(None), "auto")
    expect_insurance(b, second, b.cal.insurance_period(None), "auto")


# ---------------------------------------------------------------------------------------
# Access


@functools.cache
def catalogue(program_id: str | None = None) -> tuple[EdgeCase, ...]:
    """Every case, calibrated to a program's seeded dates (default: the dbt var program_id)."""
    cal = Calendar.of(read_program(program_id))
    cases = []
    for case_id, rules, title, note, fill in _FILLS:
        builder = _Builder(case_id, rules, cal, title, note)
        fill(builder)
        cases.append(builder.build())
    return tuple(cases)


def edge_rows(program_id: str | None = None) -> dict[str, list[dict[str, object]]]:
    """Every edge-case row per contract table, in catalogue order."""
    tables: dict[str, list[dict[str, object]]] = defaultdict(list)
    for edge_case in catalogue(program_id):
        for table, rows in edge_case.rows.items():
            tables[table].extend(rows)
    return dict(tables)


def expectations(program_id: str | None = None) -> list[tuple[str, Expectation]]:
    """(case_id, expectation) pairs of the whole catalogue."""
    return [(edge_case.case_id, e) for edge_case in catalogue(program_id)
            for e in edge_case.expect]


def case_by_id(case_id: str, program_id: str | None = None) -> EdgeCase:
    return next(edge_case for edge_case in catalogue(program_id) if edge_case.case_id == case_id)
