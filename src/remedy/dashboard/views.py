"""Streamlit rendering of the dashboard pages: figures from `queries`, text from
`formatting`; this module only lays them out.

Each page load stats the published file and reads every frame of the page from one
read-only connection on that build (cached per build: a swap gives the file a new inode,
so the next load reads the new build).
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import streamlit as st

from remedy import settings
from remedy.dashboard import formatting as fmt
from remedy.dashboard.queries import BuildStamp, line_explanation, load_page, read_page
from remedy.explain import UnknownLine


def database_path() -> Path:
    """The published database (DUCKDB_PATH, which `remedy dashboard` sets)."""
    return settings.duckdb_path()


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_frames(page: str, path: str, inode: int, mtime_ns: int,
                   size: int) -> dict[str, pd.DataFrame]:
    return read_page(page, BuildStamp(path, inode, mtime_ns, size))


def _read_cached(page: str, stamp: BuildStamp) -> dict[str, pd.DataFrame]:
    return _cached_frames(page, stamp.path, stamp.inode, stamp.mtime_ns, stamp.size)


def page_frames(page: str) -> dict[str, pd.DataFrame] | None:
    """The page's frames from the current published build, or None after showing why
    there are none."""
    path = database_path()
    if not path.is_file():
        st.error(f"게시된 데이터베이스가 없습니다: `{path}`. `remedy build`로 만드세요. "
                 "(No published database.)")
        return None
    try:
        stamp, frames = load_page(page, path, reader=_read_cached)
    except duckdb.Error as error:
        st.error(f"데이터베이스를 읽을 수 없습니다 (cannot read the database): {error}")
        return None
    with st.sidebar:
        st.caption(f"게시된 빌드 (published build): {fmt.build_label(stamp.mtime_ns)}")
        st.caption(f"`{path.name}` · 읽기 전용 (read-only)", help=str(path))
    return frames


def _metrics(items: list[tuple[str, str]]) -> None:
    for column, (name, value) in zip(st.columns(len(items)), items, strict=True):
        column.metric(name, value)


def render_funnel() -> None:
    st.title("면제 퍼널 · Waiver funnel")
    st.caption("해지 → 면제 대상 → 환급 신청 → 환급 예정, 해지일 차수별 (W1-W4, A5-A7)")
    frames = page_frames("funnel")
    if frames is None:
        return
    funnel = frames["waiver_funnel"]
    overall = funnel[funnel["cohort"] == "all"].set_index("stage")
    _metrics([
        ("면제 모집단", fmt.count(overall.loc["terminated", "lines"], "회선")),
        ("면제 대상", fmt.count(overall.loc["eligible", "lines"], "회선")),
        ("환급 신청", fmt.count(overall.loc["applied", "lines"], "회선")),
        ("환급 예정", fmt.count(overall.loc["scheduled", "lines"], "회선")),
    ])
    _metrics([
        ("면제 위약금 청구액", fmt.won(overall.loc["eligible", "waivable_billed_krw"])),
        ("환급 예정액", fmt.won(overall.loc["scheduled", "waivable_paid_krw"])),
    ])
    chart_data = funnel.assign(
        차수=funnel["cohort"].map(fmt.cohort),
        단계=funnel["stage"].map(lambda stage: fmt.label("stage", stage)),
        회선=funnel["lines"],
        order=funnel["stage"].map({stage: index for index, stage in enumerate(
            ("terminated", "eligible", "applied", "scheduled"))}),
    )
    chart_data = chart_data[chart_data["cohort"] != "all"]
    chart = alt.Chart(chart_data).mark_bar().encode(
        x=alt.X("단계:N", sort=alt.SortField("order"), title=None,
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("회선:Q"),
        color=alt.Color("차수:N"),
        xOffset="차수:N",
        tooltip=["차수", "단계", "회선"],
    )
    st.altair_chart(chart, width="stretch")
    st.subheader("차수별 퍼널")
    st.table(fmt.funnel_table(funnel))
    st.subheader("환급 차수 (A5)")
    st.table(fmt.wave_calendar_table(frames["wave_calendar"]))


def render_applications() -> None:
    st.title("신청 추이 · Application curve")
    st.caption("일별 환급 신청과 누계, 신청 기간과 차수 마감 표시 (A2, A5, A6)")
    frames = page_frames("applications")
    if frames is None:
        return
    daily, by_outcome, marks = (
        frames["daily_applications"], frames["application_curve"], frames["cutoffs"]
    )
    total = int(daily["applications"].sum()) if not daily.empty else 0
    peak = daily.loc[daily["applications"].idxmax()] if not daily.empty else None
    _metrics([
        ("전체 신청", fmt.count(total, "건")),
        ("최다 신청일", fmt.day(peak["applied_date"]) if peak is not None else fmt.MISSING),
        ("최다 신청 건수", fmt.count(peak["applications"], "건") if peak is not None
         else fmt.MISSING),
    ])
    bars = alt.Chart(by_outcome.assign(
        결과=by_outcome["outcome"].map(lambda code: fmt.label("outcome", code)),
        신청일=pd.to_datetime(by_outcome["applied_date"]),
        건수=by_outcome["applications"],
    )).mark_bar().encode(
        x=alt.X("신청일:T", title="신청일 (KST)", axis=alt.Axis(format="%m-%d")),
        y=alt.Y("건수:Q", title="일별 신청"),
        color=alt.Color("결과:N"),
        tooltip=["신청일:T", "결과", "건수"],
    )
    cumulative = alt.Chart(daily.assign(
        신청일=pd.to_datetime(daily["applied_date"]), 누계=daily["cumulative"],
    )).mark_line(color="#333333").encode(
        x="신청일:T", y=alt.Y("누계:Q", title="누계"),
    )
    mark_frame = marks.assign(
        시각=pd.to_datetime(marks["at_kst"]),
        표시=[fmt.cutoff_label(kind, refund_wave) for kind, refund_wave
              in zip(marks["kind"], marks["refund_wave"], strict=True)],
        # Stagger the labels: cut-offs a few days apart would print over each other.
        높이=[12 + 16 * index for index in range(len(marks))],
    )
    rules = alt.Chart(mark_frame).mark_rule(color="#d62728", strokeDash=[4, 3]).encode(
        x="시각:T", tooltip=["표시", "시각:T"],
    )
    texts = alt.Chart(mark_frame).mark_text(
        align="left", dx=4, dy=-6, color="#d62728"
    ).encode(x="시각:T", y=alt.Y("높이:Q", scale=None), text="표시")
    chart = alt.layer(bars, cumulative, rules, texts).resolve_scale(
        y="independent"
    ).properties(height=380)
    st.altair_chart(chart, width="stretch")
    st.subheader("마감 시각")
    st.table(pd.DataFrame({
        "구분": mark_frame["표시"], "시각 (KST)": mark_frame["시각"].map(fmt.minute),
    }))


def render_refunds() -> None:
    st.title("환급 차수 · Refunds by wave")
    st.caption("차수·지급일·신청 경로별 환급 예정 (A5-A7)")
    frames = page_frames("refunds")
    if frames is None:
        return
    refunds, totals = frames["refunds_by_wave"], frames["assignment_totals"]
    by_wave = refunds.groupby(["refund_wave", "payout_date"], as_index=False)[
        ["lines", "refund_krw"]].sum()
    _metrics([
        (f"{fmt.wave(item.refund_wave)} ({fmt.day(item.payout_date)})",
         fmt.won(item.refund_krw))
        for item in by_wave.itertuples(index=False)
    ] or [("환급 예정", fmt.won(0))])
    chart = alt.Chart(refunds.assign(
        지급일=refunds["payout_date"].map(fmt.day),
        경로=refunds["channel"].map(lambda code: fmt.label("channel", code)),
        환급액=refunds["refund_krw"],
    )).mark_bar().encode(
        x=alt.X("지급일:N", title="지급일", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("환급액:Q", title="환급액 (원)"),
        color="경로:N", tooltip=["지급일", "경로", alt.Tooltip("환급액:Q", format=",")],
    )
    st.altair_chart(chart, width="stretch")
    st.table(fmt.refunds_table(refunds))
    st.subheader("배정 상태 (면제 대상 회선)")
    st.table(pd.DataFrame([
        {
            "상태": fmt.label("assignment_status", item.assignment_status),
            "회선": fmt.count(item.lines),
            "기납부액": fmt.won(item.refund_krw),
            "청구 취소액": fmt.won(item.cancel_krw),
        }
        for item in totals.itertuples(index=False)
    ]))


def render_review() -> None:
    st.title("수동 검토 · Manual-review queue")
    st.caption("사람의 확인이 필요한 환급 신청 (A3 예금주 불일치, A4 기한 후 신청)")
    frames = page_frames("review")
    if frames is None:
        return
    summary, queue = frames["review_summary"], frames["review_queue"]
    _metrics([
        ("검토 대기", fmt.count(summary["lines"].sum(), "회선")),
        ("환급 대기액", fmt.won(summary["refund_krw"].sum())),
    ])
    st.table(fmt.review_summary_table(summary))
    reasons = list(summary["review_reason"])
    chosen = st.multiselect(
        "검토 사유", reasons, default=reasons,
        format_func=lambda code: fmt.label("review_reason", code), key="review_reasons",
    )
    shown = queue[queue["review_reason"].isin(chosen)]
    st.caption(f"{fmt.count(len(shown), '건')} / {fmt.count(len(queue), '건')}")
    st.dataframe(fmt.review_queue_table(shown), hide_index=True, width="stretch")


def render_rewards() -> None:
    st.title("보상 혜택 · Reward entitlements")
    st.caption("혜택·월별 지급 건수와 수량 (R1-R6, 월 = 혜택 시작일의 달)")
    frames = page_frames("rewards")
    if frames is None:
        return
    rewards = frames["reward_entitlements"]
    data = rewards[rewards["benefit"] == "data_bonus"]
    insurance = rewards[rewards["benefit"] == "safety_insurance"]
    _metrics([
        ("전체 혜택", fmt.count(rewards["entitlement_count"].sum(), "건")),
        ("데이터 보너스", fmt.count(data["total_quantity"].sum(), "GB")),
        ("보험 가입 고객", fmt.count(insurance["customer_count"].sum(), "명")),
    ])
    chart = alt.Chart(rewards.assign(
        월=pd.to_datetime(rewards["entitlement_month"]).dt.strftime("%Y-%m"),
        혜택=rewards["benefit"].map(lambda code: fmt.label("benefit", code)),
        건수=rewards["entitlement_count"],
    )).mark_bar().encode(
        x=alt.X("월:N", axis=alt.Axis(labelAngle=0)), y=alt.Y("건수:Q"), color="혜택:N",
        tooltip=["월", "혜택", alt.Tooltip("건수:Q", format=",")],
    )
    st.altair_chart(chart, width="stretch")
    st.subheader("지급 건수")
    st.table(fmt.rewards_table(rewards, "entitlement_count"))
    st.subheader("지급 수량")
    st.table(fmt.rewards_table(rewards, "total_quantity"))


def _status_colours(column: pd.Series) -> list[str]:
    return [
        "background-color: #c8e6c9; color: #1b5e20"
        if value in (fmt.INTEGRITY_STATUS[True], fmt.FINDING_STATUS[True])
        else "background-color: #ffe0b2; color: #e65100"
        if value == fmt.FINDING_STATUS[False]
        else "background-color: #ffcdd2; color: #b71c1c"
        for value in column
    ]


def _styled(table: pd.DataFrame):
    return table.style.apply(_status_colours, subset=["상태"]).hide(axis="index")


def render_reconciliation() -> None:
    st.title("대사 현황 · Reconciliation")
    st.caption("rpt_reconciliation: 무결성 통제는 웨어하우스 자체의 항등식(실패하면 결과를 "
               "믿을 수 없음), 발견 사항은 원천 시스템과의 비교(청구 위약금 대 P1-P3 산식)")
    frames = page_frames("reconciliation")
    if frames is None:
        return
    controls = frames["reconciliation"]
    integrity = controls[controls["severity"] == "integrity"]
    findings = controls[controls["severity"] == "finding"]
    passed = int(integrity["passed"].sum())
    outside = int((~findings["passed"].astype(bool)).sum())
    _metrics([
        ("무결성 통과", fmt.count(passed, "건")),
        ("무결성 실패", fmt.count(len(integrity) - passed, "건")),
        ("허용 범위 초과 발견 사항", fmt.count(outside, "건")),
    ])
    st.subheader("무결성 통제 · Integrity controls")
    if passed == len(integrity):
        st.success(f"모든 무결성 통제 통과 ({passed}/{len(integrity)})")
    else:
        st.error(f"실패한 무결성 통제 {len(integrity) - passed}건: 이 빌드의 수치를 "
                 "신뢰할 수 없습니다")
    st.table(_styled(fmt.reconciliation_table(controls, "integrity")))
    st.subheader("발견 사항 · Findings (원천 시스템 비교)")
    if outside:
        st.warning(f"허용 범위를 넘는 발견 사항 {outside}건: 원천 시스템(청구)의 확인이 "
                   "필요합니다. 환급액은 청구 기준(A7)이라 웨어하우스 오류가 아닙니다")
    else:
        st.info(f"모든 발견 사항이 허용 범위 내 ({len(findings)}건)")
    st.table(_styled(fmt.reconciliation_table(controls, "finding")))


def render_lookup() -> None:
    st.title("상담 조회 · Line lookup")
    st.caption("회선 번호로 면제·환급·보상 판정과 그 근거를 조회 (remedy explain과 같은 내용)")
    path = database_path()
    if not path.is_file():
        st.error(f"게시된 데이터베이스가 없습니다: `{path}`. `remedy build`로 만드세요. "
                 "(No published database.)")
        return
    line_id = st.text_input("회선 ID (line_id)", value=st.query_params.get("line", ""),
                            key="lookup_line_id", placeholder="예: L-0000123").strip()
    if not line_id:
        st.info("회선 ID를 입력하세요.")
        return
    st.query_params["line"] = line_id
    try:
        stamp, explanation = line_explanation(path, line_id)
    except UnknownLine as error:
        st.warning(f"게시된 마트에 없는 회선입니다 (unknown line): {error}")
        return
    except duckdb.Error as error:
        st.error(f"데이터베이스를 읽을 수 없습니다 (cannot read the database): {error}")
        return
    with st.sidebar:
        st.caption(f"게시된 빌드 (published build): {fmt.build_label(stamp.mtime_ns)}")
    waiver, refund = explanation["waiver"], explanation["refund"]
    population = explanation["reward_population"]
    _metrics([
        ("면제 판정", fmt.label("waiver_status", waiver["status"]) if waiver else "모집단 아님"),
        ("환급 상태", fmt.code(refund["remediation_state"], "ko") if refund else fmt.MISSING),
        ("환급액", fmt.won(refund["refund_krw"]) if refund else fmt.MISSING),
        ("보상 대상 (R1)", fmt.MISSING if population is None
         else "대상" if population["granted"] else "대상 아님"),
    ])
    st.caption(f"고객 {explanation['customer_id'] or fmt.MISSING}")
    _lookup_waiver(waiver)
    _lookup_refund(explanation)
    _lookup_rewards(explanation)
    if waiver is not None:
        with st.expander("규칙 추적 (rule trace)", expanded=False):
            st.table(fmt.lookup_trace_table(waiver["rule_trace"]))


def _lookup_waiver(waiver: dict | None) -> None:
    st.subheader("위약금 면제 (W1-W4)")
    if waiver is None:
        st.write("면제 모집단 아님: 면제 기간 안에 해지된 회선이 아님 (W1)")
        return
    reasons = ", ".join(fmt.code(reason, "ko") for reason in waiver["exclusion_reasons"])
    termination = waiver["termination"]
    st.markdown(
        f"- 판정: **{fmt.label('waiver_status', waiver['status'])}**"
        + (f" ({reasons})" if reasons else "") + f" — 결정 규칙 {waiver['decided_by']}\n"
        f"- 해지 이벤트: {fmt.code(termination['type'], 'ko')} {termination['at_kst']} KST "
        f"({termination['event_id']})"
    )
    st.table(fmt.lookup_tests_table(waiver))
    penalty = waiver["penalty"]
    arithmetic, agreement = penalty["arithmetic"], penalty["agreement"]
    if agreement is None:
        st.write(f"위약금 계산 (P1-P3): 해지일 {arithmetic['D']}에 적용 약정 없음")
    else:
        st.write(
            f"위약금 계산 (P1-P3): 약정 {agreement['agreement_id']} "
            f"({fmt.code(agreement['type'], 'ko')}), S {arithmetic['S']}, T {arithmetic['T']}개월, "
            f"E {arithmetic['E']}, C {arithmetic['C']}일, U {arithmetic['U']}일, "
            f"R {arithmetic['R']}일, G {arithmetic['G']}일 "
            f"({fmt.code(arithmetic['basis'], 'ko')})")
    st.table(fmt.lookup_penalty_table(penalty))


def _lookup_refund(explanation: dict) -> None:
    refund = explanation["refund"]
    st.subheader("환급 (A2-A7, N2)")
    if refund is None:
        st.write("환급 대상 아님 (면제 대상 회선이 아님)")
        if explanation["applications"]:
            st.table(fmt.lookup_applications_table(explanation["applications"]))
        return
    review = refund["review_reason"]
    lines = [
        f"- 배정: **{fmt.label('assignment_status', refund['assignment_status'])}**"
        + (f" ({fmt.label('review_reason', review)})" if review else "")
        + f" — 결정 규칙 {refund['decided_by']}",
        f"- 환급액 {fmt.won(refund['refund_krw'])} · 청구 취소액 {fmt.won(refund['cancel_krw'])}",
    ]
    if refund["refund_wave"] is not None:
        lines.append(f"- {fmt.wave(refund['refund_wave'])} 지급일 {refund['payout_date']}")
    reminders = refund["reminders"]
    lines.append("- 미신청 안내 (N2): " + (
        ", ".join(reminders["dates"]) if reminders["sent"] else "없음"))
    unclaimed = refund["unclaimed"]
    if unclaimed is not None:
        lines.append(
            f"- 미청구 환급 {fmt.won(unclaimed['refund_krw'])} (신청 기간 "
            + ("종료" if unclaimed["is_window_closed"] else "진행 중") + ")")
    st.markdown("\n".join(lines))
    if refund["applications"]:
        st.table(fmt.lookup_applications_table(refund["applications"]))
    else:
        st.write("환급 신청 없음")


def _lookup_rewards(explanation: dict) -> None:
    st.subheader("예상 위약금 조회 (P5)")
    lookup = explanation["lookup"]
    if lookup is None:
        st.write(f"조회 대상 아님: {explanation['lookup_as_of_date']} 24:00 KST에 이용 중인 "
                 "KT 회선이 아님")
    else:
        reasons = ", ".join(fmt.code(r, "ko") for r in lookup["exclusion_reasons"] or [])
        st.write(
            f"{lookup['as_of_date']} 기준 면제 가능 여부: "
            f"{'예' if lookup['would_be_eligible'] else '아니오'}"
            + (f" ({reasons})" if reasons else "")
            + f" · 예상 면제 위약금 {fmt.won(lookup['expected_waivable_penalty_krw'])}")
    st.subheader("보상 혜택 (R1-R6)")
    population = explanation["reward_population"]
    if population is not None:
        st.write(f"보상 모집단 (R1): {fmt.code(population['reason'], 'ko')} "
                 f"({fmt.minute(population['checked_at_kst'])} KST 기준)")
    if explanation["rewards"]:
        st.table(fmt.lookup_rewards_table(explanation["rewards"]))
    insurance = explanation["insurance"]
    st.write("고객 안심 보험 (R6): " + (
        "해당 없음 — 고객에게 보상 모집단 회선이 없음" if insurance is None else
        ("가입 — " if insurance["granted"] else "미가입 — ")
        + fmt.reward_outcome(insurance, "ko")))
