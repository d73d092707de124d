"""The fund trace of one payment: per-hop totals, accounts still holding money, graph, export."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fanzha.cases import trace as tracing
from fanzha.cases.common import money
from fanzha.cases.views_funds import _payment
from fanzha.core import access


def _node_name(found: tracing.CaseTrace, account: int) -> str:
    return f"{found.info(account).masked}#{account}"


def graph_data(found: tracing.CaseTrace) -> dict[str, Any]:
    """ECharts graph: accounts as nodes (by hop), the victim's money on each transfer as edges."""
    result = found.result
    nodes = [
        {
            "name": _node_name(found, a),
            "label": found.info(a).masked,
            "hop": flow.hop,
            "held": flow.remaining / 100,
            "received": flow.received / 100,
            "cash_out": flow.cash_out / 100,
        }
        for a, flow in result.accounts.items()
    ]
    links = []
    for edge in result.edges:
        if edge.attributed <= 0:
            continue
        target = _node_name(found, edge.dst) if edge.dst >= 0 else tracing.kind_label(edge.kind)
        links.append(
            {"source": _node_name(found, edge.src), "target": target, "value": edge.attributed / 100}
        )
    named = {node["name"] for node in nodes}
    for link in links:
        for end in (link["source"], link["target"]):
            if end not in named:  # cash, a payment platform, or an account past the last hop
                named.add(end)
                nodes.append(
                    {
                        "name": end,
                        "label": end.split("#")[0],
                        "hop": -1,
                        "held": 0,
                        "received": 0,
                        "cash_out": 0,
                    }
                )
    return {"nodes": nodes, "links": links}


def _rows(found: tracing.CaseTrace) -> list[dict[str, Any]]:
    rows = []
    for flow in sorted(found.result.accounts.values(), key=lambda f: (f.hop, -f.received)):
        info = found.info(flow.account)
        rows.append(
            {
                "account": info.masked,
                "bank": info.bank or "—",
                "hop": flow.hop,
                "statement": info.has_statement,
                "received": money(flow.received),
                "sent": money(flow.sent),
                "cash_out": money(flow.cash_out),
                "third_party": money(flow.third_party),
                "remaining": money(flow.remaining),
                "held": flow.remaining,
            }
        )
    return rows


@login_required
def case_trace(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment(request, pk, "case.trace")
    try:
        found = tracing.trace_payment(actor=request.user, payment=payment)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("case_detail", pk=payment.case_id)
    tracing.audit_trace(request.user, payment, "view")
    result = found.result
    context = {
        "payment": payment,
        "case": payment.case,
        "hops": [(h, money(h.amount), money(h.cash_out), money(h.third_party)) for h in result.hops],
        "rows": _rows(found),
        "totals": {
            "paid": money(payment.amount_fen),
            "held": money(result.held),
            "cash_out": money(result.cash_out),
            "third_party": money(result.third_party),
            "beyond": money(result.beyond),
        },
        "cash_outs": len(result.cash_outs()),
        "third_hops": [(found.info(e.src).masked, money(e.attributed)) for e in result.third_party_hops()],
        "graph": graph_data(found),
        "can_stop": access.user_can(request.user, "case.measure") and payment.case.is_open,
    }
    return render(request, "cases/trace.html", context)


@login_required
def case_trace_export(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment(request, pk, "case.trace")
    try:
        found = tracing.trace_payment(actor=request.user, payment=payment)
    except ValidationError as exc:
        return HttpResponse("；".join(exc.messages), status=409, content_type="text/plain; charset=utf-8")
    tracing.audit_trace(request.user, payment, "export")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["层级", "账号（脱敏）", "开户行", "有流水", "流入受害人资金", "转出", "取现", "第三方支付", "留存"]
    )
    for row in _rows(found):
        writer.writerow(
            [
                row["hop"],
                row["account"],
                row["bank"],
                "是" if row["statement"] else "否",
                row["received"],
                row["sent"],
                row["cash_out"],
                row["third_party"],
                row["remaining"],
            ]
        )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="trace-{payment.case.number}-{payment.pk}.csv"'
    return response


@login_required
@require_POST
def case_stop_downstream(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment(request, pk, "case.measure")
    try:
        outcome = tracing.stop_downstream(actor=request.user, payment=payment)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("case_trace", pk=payment.pk)
    messages.success(request, f"已向 {len(outcome.sent)} 个留存资金的账户发送止付请求。")
    for line in outcome.skipped:
        messages.warning(request, line)
    return redirect("case_detail", pk=payment.case_id)
