"""Calibration of the synthetic landing data: calendar, population sizes and mixes.

Counts are the scale-1.0 figures (PROGRAM_RULES.md, "Published magnitudes"); `scaled`
multiplies them by the run's scale. Every date comes from the program's seeds
(`remedy.program`) through `ProgramDates`: the program's own windows, and the generator's
calendar placed around them. Every time is handled as whole seconds of Korea wall-clock
time since 1970-01-01 00:00 ("KST seconds"); the SQL turns them into UTC instants only
when a row is written.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from remedy.program import Program
from remedy.rules import add_months

KST_OFFSET_S = 9 * 3600
DAY_S = 86_400
EPOCH = dt.datetime(1970, 1, 1)


def kst_seconds(moment: dt.date | dt.datetime) -> int:
    """A KST wall-clock day (00:00) or instant as KST seconds."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    return int((moment - EPOCH).total_seconds())


def kst_moment(seconds: int) -> dt.datetime:
    return EPOCH + dt.timedelta(seconds=seconds)


# The published port-out figure covers the waiver window's last 14 days (the part announced
# with the program); the rest of the window is the retroactive part.
ANNOUNCED_DAYS = 14
# Line history starts this many years before the base cut-off's year; terminations before
# the window are spread from a year later.
HISTORY_YEARS = 10
# Applications come in office hours from this hour (the weights below), some at night.
OFFICE_HOURS_FROM = 9


@dataclass(frozen=True)
class ProgramDates:
    """The program's dates in KST seconds, and the generator's calendar derived from them."""

    program_id: str
    base_cutoff: int
    window_start: int  # first day of the waiver window, 00:00
    window_after: int  # the day after the waiver window, 00:00
    announced_start: int  # first day of the window's announced part, 00:00
    population_as_of: int  # R1 reward population instant
    app_open: int
    app_close: int
    app_days: int  # calendar days the application window touches
    ott_deadline_next: int  # the day after the OTT choice deadline, 00:00
    ott_earliest: int
    roaming_start: int
    insurance_start: int
    insurance_age_reference: dt.date
    insurance_auto_min_age: int
    grace_days: dict[int, int]
    history_start: int  # activations from here
    old_terminations_from: int  # terminations before the window from here
    late_activations_until: int  # the last data grant: a few lines activated up to it
    suspension_slots_end: int  # a month before the first grant: 2026-style suspensions
    suspension_from: int  # the day after the population instant
    suspension_to: int  # the last grant but one
    data_end: int  # one month after the roaming window: the extract ends here

    @classmethod
    def of(cls, program: Program) -> ProgramDates:
        cutoff = program["base_cutoff_kst"]
        window_end = program["waiver_window_end_date"]
        grants = [row["grant_date"] for row in program.data_grants]
        missing = [name for name, rows in (("program_penalty_terms", program.grace_days),
                                           ("program_data_grants (two or more)", grants[1:]))
                   if not rows]
        if missing:
            raise ValueError(f"program {program.program_id} cannot be generated: no rows in "
                             f"{', '.join(missing)}")
        return cls(
            program_id=program.program_id,
            base_cutoff=kst_seconds(cutoff),
            window_start=kst_seconds(program["waiver_window_start_date"]),
            window_after=kst_seconds(window_end + dt.timedelta(days=1)),
            announced_start=kst_seconds(window_end - dt.timedelta(days=ANNOUNCED_DAYS - 1)),
            population_as_of=kst_seconds(program["reward_population_as_of_kst"]),
            app_open=kst_seconds(program["application_window_start_kst"]),
            app_close=kst_seconds(program["application_window_end_kst"]),
            app_days=(program["application_window_end_kst"].date()
                      - program["application_window_start_kst"].date()).days + 1,
            ott_deadline_next=kst_seconds(program["ott_choice_deadline_date"]
                                          + dt.timedelta(days=1)),
            ott_earliest=kst_seconds(program["ott_earliest_start_date"]),
            roaming_start=kst_seconds(program["roaming_window_start_date"]),
            insurance_start=kst_seconds(program["insurance_start_date"]),
            insurance_age_reference=program["insurance_age_reference_date"],
            insurance_auto_min_age=program["insurance_auto_min_age"],
            grace_days=program.grace_days,
            history_start=kst_seconds(dt.date(cutoff.year - HISTORY_YEARS, 1, 1)),
            old_terminations_from=kst_seconds(dt.date(cutoff.year - HISTORY_YEARS + 1, 1, 1)),
            late_activations_until=kst_seconds(grants[-1]),
            suspension_slots_end=kst_seconds(add_months(grants[0], -1)),
            suspension_from=kst_seconds(program["reward_population_as_of_kst"]
                                        + dt.timedelta(days=1)),
            suspension_to=kst_seconds(grants[-2]),
            data_end=kst_seconds(add_months(program["roaming_window_end_date"], 1)
                                 + dt.timedelta(days=1)),
        )

    @property
    def retroactive_days(self) -> int:
        return (self.announced_start - self.window_start) // DAY_S

    def background(self, years: int, month: int, day: int, hour: int) -> int:
        """A background instant: (month, day, hour) of a year `years` before the cut-off's."""
        year = kst_moment(self.base_cutoff).year - years
        return kst_seconds(dt.datetime(year, month, day, hour))


# Port-outs in the announced part of the window by receiving carrier (exact at scale 1.0).
PORT_OUTS_B = {"skt": 201_562, "lgu": 70_130, "mvno": 41_210}
# Which segments the announced-window port-outs come from (rest from kt_phone_postpaid).
PORT_OUT_B_SHARES = {"kt_phone_prepaid": 0.025, "mvno": 0.015}

# Codes are stored as small integers while generating and mapped to strings on output
# (list index = code, 1-based as in DuckDB lists).
NETWORKS = ("kt", "mvno")
LINE_CLASSES = ("phone", "tablet", "wearable", "iot", "special")
PAYMENT_TYPES = ("postpaid", "prepaid")
TERM_TYPES = ("termination", "port_out", "forced_termination")
PORT_TARGETS = ("skt", "lgu", "mvno")
MVNO_BRANDS = (
    ("kt_m_mobile", 0.34),
    ("hello_mobile", 0.22),
    ("sejong_snowman", 0.16),
    ("eyes_mobile", 0.14),
    ("freet", 0.14),
)

# Profiles decide which events a line has. `agr`: KT postpaid phones, tablets and
# wearables, the only lines with discount agreements.
PROFILE_AGR, PROFILE_PREPAID, PROFILE_IOT, PROFILE_MVNO = 1, 2, 3, 4

# Fates: when (if ever) a line terminates. Window B = the announced part of the waiver
# window, window A the retroactive part before it.
FATE_B_SKT, FATE_B_LGU, FATE_B_MVNO, FATE_B_TERM = 1, 2, 3, 4
FATE_A, FATE_PRE, FATE_POST, FATE_ACTIVE = 5, 6, 7, 8


@dataclass(frozen=True)
class Segment:
    """A block of lines sharing network, class and payment type (scale-1.0 counts)."""

    name: str
    network: int  # index into NETWORKS (1-based); mvno lines draw class/payment per line
    line_class: int  # index into LINE_CLASSES, 0 = mixed (mvno)
    payment: int  # index into PAYMENT_TYPES, 0 = mixed (mvno)
    profile: int
    lines: int
    window_a: int  # terminating events in the retroactive part of the waiver window
    window_b_other: int  # plain/forced terminations in the announced part
    before: int  # terminated between the history start and the window
    after: int  # terminated after the window, before the extract ends
    slots_per_year: float  # mid-life events (plan/device changes, suspensions) a year


SEGMENTS: tuple[Segment, ...] = (
    # Phones first and contiguous: the individual-customer mapping relies on it.
    Segment("kt_phone_postpaid", 1, 1, 1, PROFILE_AGR, 13_003_128,
            250_000, 3_500, 1_500_000, 450_000, 0.82),
    Segment("kt_phone_prepaid", 1, 1, 2, PROFILE_PREPAID, 640_000,
            15_000, 500, 150_000, 40_000, 0.55),
    Segment("kt_tablet", 1, 2, 1, PROFILE_AGR, 900_000,
            12_000, 300, 150_000, 30_000, 0.62),
    Segment("kt_wearable", 1, 3, 1, PROFILE_AGR, 1_100_000,
            13_000, 300, 150_000, 40_000, 0.62),
    Segment("kt_iot", 1, 4, 1, PROFILE_IOT, 8_000_000,
            20_000, 200, 600_000, 150_000, 0.24),
    Segment("kt_special", 1, 5, 1, PROFILE_IOT, 300_000,
            2_000, 0, 20_000, 5_000, 0.24),
    Segment("mvno", 2, 0, 0, PROFILE_MVNO, 5_000_000,
            38_000, 200, 800_000, 200_000, 0.55),
)

# Customers: individuals hold the phones (about 1.1 phones each), tablets and wearables
# join a random individual; businesses own IoT/special lines (and 5 % of tablets).
PHONES_PER_INDIVIDUAL = 1.11
MVNO_LINES_PER_CUSTOMER = 1.05
IOT_LINES_PER_BUSINESS = 90.0
REJOIN_SHARE = 0.025  # waiver-window phone terminations whose person comes back
LATE_REJOIN_SHARE = 0.2  # of those, back after the waiver window (not a W2.8 exclusion)
SENIOR_SHARE = 0.20  # at least the automatic-insurance age on the R6 reference date
MINOR_SHARE = 0.03

# Agreements (P rules): subsidy 400k-600k won skewed low, selective discount 25 % of a plan.
AGREEMENT_AT_ACTIVATION = 0.85
AGREEMENT_AT_DEVICE_CHANGE = 0.85
SUBSIDY_SHARE = 0.45
TERM_24_SHARE = 0.75
PLAN_FEES = (20_000, 33_000, 45_000, 55_000, 69_000, 80_000, 90_000, 100_000)
BILLING_DISAGREES = 0.02

# Refund applications (A rules).
APPLY_SHARE = {PROFILE_AGR: 0.70, PROFILE_PREPAID: 0.45, PROFILE_IOT: 0.10, PROFILE_MVNO: 0.30}
APPLICATION_DAY_WEIGHTS = (  # kt_2025_12's 18 window days: rush, weekend dip, deadline bump
    16, 12, 9, 6, 5, 7, 6, 5, 4.5, 4, 3, 3, 4, 3.5, 3.5, 4, 6, 8,
)
APPLICATION_HOUR_WEIGHTS = (  # 09 .. 21 h
    6, 10, 11, 7, 8, 10, 10, 9, 8, 6, 6, 5, 4,
)

ROAMING_PASSES = (  # pass_code, base_data_mb, weight: odd sizes make floor(x * 0.5) matter
    ("RP_DAY_500", 500, 0.10),
    ("RP_JAPAN_999", 999, 0.12),
    ("RP_ASIA_1GB", 1024, 0.22),
    ("RP_ASIA_1537", 1537, 0.06),
    ("RP_ASIA_3GB", 3072, 0.22),
    ("RP_GLOBAL_6GB", 6144, 0.18),
    ("RP_GLOBAL_12GB", 12288, 0.07),
    ("RP_TRIAL_333", 333, 0.03),
)


@dataclass(frozen=True)
class Plan:
    """Every count of one run, derived from the scale."""

    scale: float
    dates: ProgramDates
    segments: list[dict] = field(default_factory=list)
    individuals: int = 0
    mvno_customers: int = 0
    businesses: int = 0
    generated_lines: int = 0


def scaled(count: float, scale: float) -> int:
    return int(round(count * scale))


def _affine(n: int, salt: int) -> tuple[int, int]:
    """Multiplier and offset of a bijection i -> (a*i + b) mod n (spreads fates evenly)."""
    if n <= 1:
        return 1, 0
    a = max(1, int(n * 0.6180339887) + salt % 997)
    while math.gcd(a, n) != 1:
        a += 1
    return a % n or 1, (salt * 7919) % n


def application_day_weights(days: int) -> list[float]:
    """Daily weights of on-time applications for a window of `days` calendar days: the
    kt_2025_12 shape, stretched or squeezed onto the window."""
    n = len(APPLICATION_DAY_WEIGHTS)
    if days == n:
        return list(APPLICATION_DAY_WEIGHTS)
    return [APPLICATION_DAY_WEIGHTS[min(n - 1, day * n // days)] for day in range(days)]


def make_plan(scale: float, seed: int, program: Program) -> Plan:
    """Segment sizes, fate boundaries and customer ranges for a scale and a program."""
    port_b = {to: scaled(n, scale) for to, n in PORT_OUTS_B.items()}
    offset = 0
    segments = []
    for number, seg in enumerate(SEGMENTS):
        lines = scaled(seg.lines, scale)
        share = 1.0 - sum(PORT_OUT_B_SHARES.values()) if seg.name == "kt_phone_postpaid" \
            else PORT_OUT_B_SHARES.get(seg.name, 0.0)
        fates = {
            FATE_B_SKT: 0, FATE_B_LGU: 0, FATE_B_MVNO: 0,
            FATE_B_TERM: scaled(seg.window_b_other, scale),
            FATE_A: scaled(seg.window_a, scale),
            FATE_PRE: scaled(seg.before, scale),
            FATE_POST: scaled(seg.after, scale),
        }
        if share:
            for fate, to in ((FATE_B_SKT, "skt"), (FATE_B_LGU, "lgu"), (FATE_B_MVNO, "mvno")):
                fates[fate] = int(math.floor(port_b[to] * share))
        segments.append({"number": number, "segment": seg, "offset": offset,
                         "lines": lines, "fates": fates})
        offset += lines
    # The largest segment takes the rounding remainder so the port-out split is exact.
    main = segments[0]
    for fate, to in ((FATE_B_SKT, "skt"), (FATE_B_LGU, "lgu"), (FATE_B_MVNO, "mvno")):
        main["fates"][fate] = port_b[to] - sum(s["fates"][fate] for s in segments[1:])
    for number, entry in enumerate(segments):
        terminating = sum(entry["fates"].values())
        if terminating > entry["lines"]:
            raise ValueError(f"scale {scale}: segment {entry['segment'].name} too small")
        entry["a"], entry["b"] = _affine(entry["lines"], seed * 31 + number)
    phones = segments[0]["lines"] + segments[1]["lines"]
    mvno_lines = segments[6]["lines"]
    iot_lines = segments[4]["lines"] + segments[5]["lines"]
    return Plan(
        scale=scale,
        dates=ProgramDates.of(program),
        segments=segments,
        individuals=max(1, int(round(phones / PHONES_PER_INDIVIDUAL))),
        mvno_customers=max(1, int(round(mvno_lines / MVNO_LINES_PER_CUSTOMER))),
        businesses=max(1, int(round(iot_lines / IOT_LINES_PER_BUSINESS))),
        generated_lines=offset,
    )

EVENT_TYPES = (
    "activation", "device_change", "recontract", "plan_change", "suspension",
    "suspension_end", "termination", "port_out", "forced_termination",
)
ET_ACTIVATION, ET_DEVICE_CHANGE, ET_RECONTRACT, ET_PLAN_CHANGE = 1, 2, 3, 4
ET_SUSPENSION, ET_SUSPENSION_END = 5, 6
ET_TERMINATING_BASE = 6  # + term type code (1 termination, 2 port_out, 3 forced)
