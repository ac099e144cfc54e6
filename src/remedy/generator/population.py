"""The line and customer backbone (`line_base`, `cust_base`) every table is derived from.

`line_base` holds one row of small integer codes per line: who owns it, when it was
activated, whether and how it terminates, and how many mid-life event slots it has.
Fates (when a line terminates) are assigned by position in a per-segment permutation, so
window counts are exact at every scale; everything else is hashed per line.
"""

from __future__ import annotations

import duckdb

from remedy.generator import params as P
from remedy.generator.sqlkit import sql_list, uniform_between, weighted_case

LINE_BASE_DDL = """
CREATE OR REPLACE TABLE line_base (
    line_idx BIGINT, seg UTINYINT, profile UTINYINT, fate UTINYINT,
    network_code UTINYINT, class_code UTINYINT, pay_code UTINYINT, brand_code UTINYINT,
    cust_idx BIGINT, person_idx BIGINT,
    act_ks BIGINT, act_shift BIGINT, term_ks BIGINT, term_type UTINYINT, port_to UTINYINT,
    n_slots INTEGER, slot_end_ks BIGINT, susp26 UTINYINT, rejoins BOOLEAN
)
"""

YEAR_S = 31_557_600


def install_population_macros(con: duckdb.DuckDBPyConnection, dates: P.ProgramDates) -> None:
    """Per-person attributes (a re-joiner keeps name and birth date) and slot counts."""
    surnames = "['김','이','박','최','정','강','조','윤','장','임','한','오','서','신','권'," \
        "'황','안','송','류','전','홍','고','문','양','손']"
    syllables = "['민','서','지','현','준','우','영','수','예','은','하','윤','도','진','성'," \
        "'호','재','연','유','경','태','주','원','혜','승','아','채','희','동','빈']"
    companies = "['한빛','누리','대한','미래','새솔','가온','푸른','한결','다온','세움']"
    suffixes = "['물류','에너지','모빌리티','시스템즈','보안','유통','테크','산업']"
    senior, minor = P.SENIOR_SHARE, P.SENIOR_SHARE + P.MINOR_SHARE
    min_age = dates.insurance_auto_min_age
    reference = dates.insurance_age_reference.isoformat()
    statements = [
        f"""CREATE OR REPLACE MACRO person_name(p) AS
            {surnames}[1 + rint(p, 0, 'sur', 25)] || {syllables}[1 + rint(p, 1, 'syl', 30)]
            || {syllables}[1 + rint(p, 2, 'syl', 30)]""",
        f"""CREATE OR REPLACE MACRO company_name(p) AS
            '(주)' || {companies}[1 + rint(p, 0, 'co', 10)]
            || {suffixes}[1 + rint(p, 1, 'co', 8)]""",
        # Completed years on the R6 reference date are exact: subtract whole years, then
        # less than one year more. Seniors are at least the automatic-insurance age.
        f"""CREATE OR REPLACE MACRO age_years(p) AS CASE
            WHEN rnd(p, 0, 'age') < {senior} THEN {min_age} + rint(p, 1, 'age_y', 30)
            WHEN rnd(p, 0, 'age') < {minor} THEN 10 + rint(p, 1, 'age_y', 8)
            ELSE 18 + rint(p, 1, 'age_y', {min_age - 18}) END""",
        f"""CREATE OR REPLACE MACRO birth_date(p) AS CAST(
            DATE '{reference}' - to_years(CAST(age_years(p) AS INTEGER))
            - to_days(CAST(rint(p, 2, 'age_d', 365) AS INTEGER)) AS DATE)""",
        f"""CREATE OR REPLACE MACRO slot_count(i, rate, act, send) AS CAST(greatest(0, least(
            floor(rate * ((send) - (act)) / {YEAR_S} * (0.4 + 1.2 * rnd(i, 0, 'slots'))),
            40, ((send) - (act)) // {7 * P.DAY_S})) AS INTEGER)""",
    ]
    for statement in statements:
        con.execute(statement)


def _fate_case(fates: dict[int, int]) -> str:
    parts, bound = [], 0
    for fate in (P.FATE_B_SKT, P.FATE_B_LGU, P.FATE_B_MVNO, P.FATE_B_TERM,
                 P.FATE_A, P.FATE_PRE, P.FATE_POST):
        bound += fates[fate]
        parts.append(f"WHEN p < {bound} THEN {fate}")
    return f"CASE {' '.join(parts)} ELSE {P.FATE_ACTIVE} END"


def _term_type_sql(profile: int) -> str:
    """1 termination, 2 port_out, 3 forced_termination (window-B port-outs are fixed)."""
    r = "rnd(line_idx, 0, 'term_type')"
    if profile == P.PROFILE_IOT:
        usual = weighted_case(r, [("1", 0.9), ("3", 0.1)])
    else:
        usual = f"""CASE WHEN fate = {P.FATE_A}
            THEN {weighted_case(r, [("2", 0.55), ("1", 0.40), ("3", 0.05)])}
            ELSE {weighted_case(r, [("2", 0.40), ("1", 0.55), ("3", 0.05)])} END"""
    return f"""CASE
        WHEN fate IN ({P.FATE_B_SKT}, {P.FATE_B_LGU}, {P.FATE_B_MVNO}) THEN 2
        WHEN fate = {P.FATE_B_TERM} THEN {weighted_case(r, [("1", 0.9), ("3", 0.1)])}
        WHEN fate = {P.FATE_ACTIVE} THEN 0
        ELSE {usual} END"""


def _term_ks_sql(dates: P.ProgramDates) -> str:
    """Day by fate; time of day by type (forced terminations run as a night batch)."""
    r_day = "rnd(line_idx, 0, 'term_day')"
    r_tod = "rnd(line_idx, 0, 'term_tod')"
    tod = f"""CASE term_type
        WHEN 2 THEN 36000 + CAST(floor({r_tod} * 36000) AS BIGINT)
        WHEN 3 THEN 7200 + CAST(floor({r_tod} * 10800) AS BIGINT)
        ELSE CASE WHEN rnd(line_idx, 1, 'term_tod') < 0.8
            THEN 32400 + CAST(floor({r_tod} * 43200) AS BIGINT)
            ELSE CAST(floor({r_tod} * 86400) AS BIGINT) END END"""
    days_before = (dates.window_start - dates.old_terminations_from) // P.DAY_S
    days_after = (dates.data_end - dates.window_after) // P.DAY_S
    b_start, b_days = dates.announced_start, P.ANNOUNCED_DAYS
    day = f"""CASE
        WHEN fate IN ({P.FATE_B_SKT}, {P.FATE_B_LGU}, {P.FATE_B_MVNO})
            THEN {b_start} + CAST(floor({b_days} * pow({r_day}, 1.25)) AS BIGINT) * 86400
        WHEN fate = {P.FATE_B_TERM}
            THEN {b_start} + CAST(floor({b_days} * {r_day}) AS BIGINT) * 86400
        WHEN fate = {P.FATE_A}
            THEN {dates.window_start}
                + CAST(floor({dates.retroactive_days} * {r_day}) AS BIGINT) * 86400
        WHEN fate = {P.FATE_PRE}
            THEN {dates.old_terminations_from}
                + CAST(floor({days_before} * {r_day}) AS BIGINT) * 86400
        WHEN fate = {P.FATE_POST}
            THEN {dates.window_after} + CAST(floor({days_after} * {r_day}) AS BIGINT) * 86400
        END"""
    return f"CASE WHEN fate = {P.FATE_ACTIVE} THEN NULL ELSE ({day}) + ({tod}) END"


def _act_ks_sql(dates: P.ProgramDates) -> str:
    """Activation: a decade of history; 4 % of window terminations are recent (W2.5); a few
    active lines come after the reward population instant (R1)."""
    r = "rnd(line_idx, 0, 'act')"
    tod = "36000 + rint(line_idx, 0, 'act_tod', 36000)"
    history_day = dates.history_start // P.DAY_S
    cutoff_day = dates.base_cutoff // P.DAY_S
    as_of_day = dates.population_as_of // P.DAY_S
    late_day = dates.late_activations_until // P.DAY_S
    active = f"""CASE WHEN rnd(line_idx, 0, 'late_act') < 0.006
        THEN {uniform_between(r, str(as_of_day), str(late_day))}
        ELSE {uniform_between(r, str(history_day), str(as_of_day))} END * 86400 + {tod}"""
    recent = f"""rnd(line_idx, 0, 'act_new') < 0.04 AND fate <= {P.FATE_A}"""
    terminated = f"""least(term_ks - 3600, CASE WHEN {recent}
        THEN {uniform_between(r, str(cutoff_day), "term_ks // 86400 + 1")}
        ELSE {uniform_between(r, str(history_day), "term_ks // 86400")} END * 86400 + {tod})"""
    return f"CASE WHEN fate = {P.FATE_ACTIVE} THEN {active} ELSE {terminated} END"


def _class_sql(seg: P.Segment) -> tuple[str, str, str]:
    """Class, payment and brand codes; MVNO lines draw them per line."""
    if seg.network == 1:
        return str(seg.line_class), str(seg.payment), "0"
    klass = weighted_case("rnd(line_idx, 0, 'mvno_class')",
                          [("1", 0.92), ("2", 0.03), ("3", 0.02), ("4", 0.03)])
    pay = weighted_case("rnd(line_idx, 0, 'mvno_pay')", [("1", 0.75), ("2", 0.25)])
    brand = weighted_case("rnd(line_idx, 0, 'mvno_brand')",
                          [(str(n + 1), w) for n, (_, w) in enumerate(P.MVNO_BRANDS)])
    return klass, pay, brand


def _customer_sql(entry: dict, plan: P.Plan) -> str:
    seg: P.Segment = entry["segment"]
    phones = plan.segments[0]["lines"] + plan.segments[1]["lines"]
    business_base = plan.individuals + plan.mvno_customers
    business = (f"{business_base} + CAST(floor({plan.businesses} * "
                f"pow(rnd(line_idx, 0, 'owner'), 2)) AS BIGINT)")
    if seg.name in ("kt_phone_postpaid", "kt_phone_prepaid"):
        return f"CAST(floor(line_idx * {plan.individuals} / {phones}) AS BIGINT)"
    if seg.name in ("kt_tablet", "kt_wearable"):
        business_share = 0.05 if seg.name == "kt_tablet" else 0.0
        return f"""CASE WHEN rnd(line_idx, 1, 'owner') < {business_share} THEN {business}
            ELSE rint(line_idx, 0, 'owner', {plan.individuals}) END"""
    if seg.name == "mvno":
        local = f"(line_idx - {entry['offset']})"
        return (f"{plan.individuals} + CAST(floor({local} * {plan.mvno_customers} / "
                f"{entry['lines']}) AS BIGINT)")
    return business


def _segment_insert(entry: dict, plan: P.Plan) -> str:
    seg: P.Segment = entry["segment"]
    n, off = entry["lines"], entry["offset"]
    klass, pay, brand = _class_sql(seg)
    customer = _customer_sql(entry, plan)
    port_to = weighted_case("rnd(line_idx, 0, 'port_to')", [("1", 0.644), ("2", 0.224),
                                                            ("3", 0.132)])
    dates = plan.dates
    susp26 = f"""CASE WHEN fate = {P.FATE_ACTIVE} AND {seg.network} = 1
        AND act_ks < {dates.suspension_slots_end - 31 * P.DAY_S}
        AND rnd(line_idx, 0, 'susp26') < 0.01
        THEN CASE WHEN rnd(line_idx, 1, 'susp26') < 0.8 THEN 1 ELSE 2 END ELSE 0 END"""
    return f"""
    INSERT INTO line_base
    WITH base AS (
        SELECT {off} + range AS line_idx, ({entry['a']} * range + {entry['b']}) % {n} AS p
        FROM range({n})
    ), fated AS (
        SELECT line_idx, {_fate_case(entry['fates'])} AS fate FROM base
    ), typed AS (
        SELECT *, {_term_type_sql(seg.profile)} AS term_type FROM fated
    ), timed AS (
        SELECT *, {_term_ks_sql(dates)} AS term_ks FROM typed
    ), activated AS (
        SELECT *, {_act_ks_sql(dates)} AS act_ks FROM timed
    ), flagged AS (
        SELECT *, {susp26} AS susp26 FROM activated
    )
    SELECT line_idx, {entry['number']}, {seg.profile}, fate,
        {seg.network}, {klass}, {pay}, {brand},
        {customer} AS cust_idx, {customer} AS person_idx,
        act_ks, 0, term_ks, term_type,
        CASE WHEN term_type = 2 THEN CASE fate WHEN {P.FATE_B_SKT} THEN 1
            WHEN {P.FATE_B_LGU} THEN 2 WHEN {P.FATE_B_MVNO} THEN 3 ELSE {port_to} END
            ELSE 0 END,
        slot_count(line_idx, {seg.slots_per_year}, act_ks,
            {_slot_end(dates, 'term_ks', 'susp26')}),
        {_slot_end(dates, 'term_ks', 'susp26')},
        susp26,
        {entry['number']} = 0 AND fate <= {P.FATE_A}
            AND rnd(line_idx, 0, 'rejoin') < {P.REJOIN_SHARE}
    FROM flagged
    ORDER BY line_idx
    """


def _slot_end(dates: P.ProgramDates, term: str, susp26: str) -> str:
    """Mid-life events stay before termination; suspensions during the reward period (R2)
    get the grant months to themselves."""
    return f"""CASE WHEN {susp26} > 0 THEN {dates.suspension_slots_end}
        ELSE coalesce({term}, {dates.data_end}) END"""


def _rejoin_insert(plan: P.Plan, rejoin_customer_base: int) -> str:
    """A returning person: a new customer record and a new KT phone line after termination,
    mostly within the waiver window (W2.8), some after it."""
    src = "src_idx"
    dates = plan.dates
    late_hi = dates.window_after + 75 * P.DAY_S
    on_time = uniform_between(f"rnd({src}, 1, 'rejoin_at')",
                              "term_ks + 3600",
                              str(dates.window_after))
    late = uniform_between(f"rnd({src}, 1, 'rejoin_at')", str(dates.window_after), str(late_hi))
    phone = P.SEGMENTS[0]
    return f"""
    INSERT INTO line_base
    WITH src AS (
        SELECT row_number() OVER (ORDER BY line_idx) - 1 AS rn, line_idx AS src_idx,
            person_idx, term_ks
        FROM line_base WHERE rejoins
    ), placed AS (
        SELECT {plan.generated_lines} + rn AS line_idx, rn, person_idx,
            CASE WHEN rnd({src}, 1, 'rejoin_late') < {P.LATE_REJOIN_SHARE}
                    OR term_ks + 3600 >= {dates.window_after}
                THEN {late} ELSE {on_time} END AS act_ks
        FROM src
    )
    SELECT line_idx, {len(P.SEGMENTS)}, {P.PROFILE_AGR}, {P.FATE_ACTIVE}, 1, 1, 1, 0,
        {rejoin_customer_base} + rn, person_idx, act_ks, 0, NULL, 0, 0,
        slot_count(line_idx, {phone.slots_per_year}, act_ks, {dates.data_end}), {dates.data_end},
        0, false
    FROM placed ORDER BY line_idx
    """


def build_line_base(con: duckdb.DuckDBPyConnection, plan: P.Plan) -> int:
    """Create line_base; returns the number of lines (generated plus re-joiners)."""
    install_population_macros(con, plan.dates)
    con.execute(LINE_BASE_DDL)
    for entry in plan.segments:
        if entry["lines"]:
            con.execute(_segment_insert(entry, plan))
    con.execute(_rejoin_insert(plan, rejoin_customer_base(plan)))
    return con.execute("SELECT count(*) FROM line_base").fetchall()[0][0]


def rejoin_customer_base(plan: P.Plan) -> int:
    return plan.individuals + plan.mvno_customers + plan.businesses


def build_cust_base(con: duckdb.DuckDBPyConnection, plan: P.Plan) -> int:
    """One row per customer that owns at least one line."""
    business_lo = plan.individuals + plan.mvno_customers
    business_hi = rejoin_customer_base(plan)
    con.execute(f"""
        CREATE OR REPLACE TABLE cust_base AS
        SELECT cust_idx, min(person_idx) AS person_idx, min(act_ks) AS first_act_ks,
            cust_idx >= {business_lo} AND cust_idx < {business_hi} AS is_business
        FROM line_base GROUP BY cust_idx ORDER BY cust_idx
    """)
    return con.execute("SELECT count(*) FROM cust_base").fetchall()[0][0]


def lines_sql(src: str) -> str:
    """Lines (contract columns plus sort keys) of the rows of `src` (a line_base subset)."""
    # A bijection of the line number onto 8 digits keeps every generated msisdn unique.
    number = "(line_idx * 48271 + 12345678) % 100000000"
    brands = sql_list([name for name, _ in P.MVNO_BRANDS])
    return f"""
    SELECT line_idx AS s1, 0 AS s2,
        line_id(line_idx) AS line_id,
        customer_id(cust_idx) AS customer_id,
        CASE WHEN class_code = 4 THEN '012-' ELSE '010-' END
            || pad({number} // 10000, 4) || '-' || pad({number} % 10000, 4) AS msisdn,
        {sql_list(P.NETWORKS)}[network_code] AS network,
        CASE WHEN brand_code > 0 THEN {brands}[brand_code] END AS mvno_brand,
        {sql_list(P.LINE_CLASSES)}[class_code] AS line_class,
        {sql_list(P.PAYMENT_TYPES)}[pay_code] AS payment_type,
        utc(act_ks + act_shift) AS activated_at
    FROM {src}
    """


def customers_sql(src: str) -> str:
    """Customers (contract columns plus sort keys) of the rows of `src` (a cust_base subset)."""
    return f"""
    SELECT cust_idx AS s1, 0 AS s2,
        customer_id(cust_idx) AS customer_id,
        hexkey(person_idx, 0, 'person') AS person_key,
        CASE WHEN is_business THEN 'business' ELSE 'individual' END AS customer_type,
        CASE WHEN is_business THEN company_name(person_idx) ELSE person_name(person_idx) END
            AS full_name,
        -- Nobody is born after their customer record was created (that row would break
        -- the contract): young customers whose first line is older are aged to fit.
        CASE WHEN NOT is_business THEN least(
            birth_date(person_idx),
            CAST(CAST(utc(first_act_ks - 600 - 3 * 86400) AS DATE) - INTERVAL 7 YEAR AS DATE)
        ) END AS birth_date,
        utc(first_act_ks - 600 - rint(cust_idx, 0, 'created', 3 * 86400)) AS created_at
    FROM {src}
    """
