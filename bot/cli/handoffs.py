"""`python -m bot handoffs`: waiting and claimed handoffs, oldest first, for operators."""

from __future__ import annotations

import argparse
import json
import time

from bot.app_context import build_runtime


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("handoffs", help="list waiting and claimed handoffs (needs REDIS_URL)")
    p.add_argument("--json", action="store_true", help="one JSON object per handoff")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    runtime = build_runtime(require_redis=True)
    now = time.time()
    rows = []
    for conv in runtime.store.open_handoffs():
        h = conv.handoff
        assert h is not None
        rows.append({
            "id": h.id, "conversation": conv.key, "status": h.status, "urgent": h.urgent,
            "reason": h.reason, "waiting_minutes": round((now - h.created_at) / 60, 1),
            "agent": h.agent_name, "sales_yen": conv.sales_yen, "industry": conv.industry or conv.other_industry,
            "announced": h.announced,
        })
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    if not rows:
        print("no open handoffs")
        return 0
    print(f"{'age(min)':>8}  {'status':8} {'urgent':6} {'reason':20} {'agent':16} conversation")
    for r in rows:
        print(f"{r['waiting_minutes']:>8}  {r['status']:8} {'YES' if r['urgent'] else '':6} {r['reason'][:20]:20} "
              f"{(r['agent'] or '-')[:16]:16} {r['conversation']}")
    return 0
