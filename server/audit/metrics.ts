import type { Db } from "../db/client";
import type { SelfAuditResult } from "./self-audit";

type Sample = { labels?: Record<string, string>; value: number };

/** One metric in Prometheus' text exposition format (0.0.4). */
function metric(name: string, type: "gauge" | "counter", help: string, samples: Sample[]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const s of samples) {
    const labels = s.labels
      ? `{${Object.entries(s.labels)
          .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
          .join(",")}}`
      : "";
    lines.push(`${name}${labels} ${Number.isFinite(s.value) ? s.value : 0}`);
  }
  return lines.join("\n");
}

const seconds = (d: Date) => Math.round(d.getTime() / 1000);

/** The hub's metrics: record and anchoring counts, the anchoring lag, and the latest self-audit (by any instance). */
export async function renderMetrics(db: Db, audit: SelfAuditResult | undefined, now = new Date()): Promise<string> {
  const [records, pending, oldestPending, batches, lastAnchored, legacyHead, chainHeads] = await Promise.all([
    db.recordVersion.count(),
    db.anchorItem.count({ where: { batchId: null } }),
    db.anchorItem.findFirst({ where: { batchId: null }, orderBy: { seq: "asc" }, select: { createdAt: true } }),
    db.anchorBatch.groupBy({ by: ["status"], _count: { _all: true } }),
    db.anchorBatch.findFirst({ where: { status: "ANCHORED" }, orderBy: { anchoredAt: "desc" }, select: { anchoredAt: true, blockTime: true } }),
    db.accessLogHead.findUnique({ where: { id: 1 } }),
    db.accessLogChainHead.aggregate({ _sum: { seq: true } }),
  ]);
  // The legacy chain's lines and every chain's (a head's seq is its chain's length).
  const logLines = (legacyHead?.seq ?? 0) + (chainHeads._sum.seq ?? 0);
  // The oldest digest still waiting for a batch, or a batch still waiting for the chain.
  const unfinished = await db.anchorBatch.findFirst({ where: { status: { not: "ANCHORED" } }, orderBy: { createdAt: "asc" }, select: { createdAt: true } });
  const waitingSince = Math.min(oldestPending?.createdAt.getTime() ?? Infinity, unfinished?.createdAt.getTime() ?? Infinity);
  const lagS = Number.isFinite(waitingSince) ? Math.max(0, (now.getTime() - waitingSince) / 1000) : 0;
  const byStatus = new Map(batches.map((b) => [b.status, b._count._all]));

  const out = [
    metric("cargoproof_records_total", "counter", "Record versions stored.", [{ value: records }]),
    metric("cargoproof_anchor_pending_digests", "gauge", "Digests waiting for an anchor batch.", [{ value: pending }]),
    metric("cargoproof_anchor_lag_seconds", "gauge", "Age of the oldest digest or batch not yet anchored (0 when all are anchored).", [{ value: lagS }]),
    metric(
      "cargoproof_anchor_batches",
      "gauge",
      "Anchor batches by status.",
      ["BUILT", "SIGNED", "ANCHORED"].map((status) => ({ labels: { status }, value: byStatus.get(status) ?? 0 })),
    ),
    metric("cargoproof_last_anchor_timestamp_seconds", "gauge", "When the latest batch was anchored (block time).", [
      { value: lastAnchored?.blockTime ? seconds(lastAnchored.blockTime) : 0 },
    ]),
    metric("cargoproof_access_log_entries", "counter", "Lines in the hash-chained access log.", [{ value: logLines }]),
  ];
  const report = audit?.report;
  out.push(
    metric("cargoproof_audit_last_run_timestamp_seconds", "gauge", "When the latest self-audit finished (0: none yet).", [
      { value: audit ? seconds(new Date(audit.finishedAt)) : 0 },
    ]),
    metric("cargoproof_audit_last_duration_seconds", "gauge", "How long the latest self-audit took.", [{ value: audit ? audit.durationMs / 1000 : 0 }]),
    metric("cargoproof_audit_last_run_ok", "gauge", "1 if the latest self-audit ran to completion, 0 if it failed or has not run.", [
      { value: report ? 1 : 0 },
    ]),
    metric("cargoproof_audit_clean", "gauge", "1 if the latest self-audit found nothing, else 0.", [{ value: report?.clean ? 1 : 0 }]),
    metric("cargoproof_audit_records_checked", "gauge", "Records the latest self-audit checked.", [{ value: report?.records ?? 0 }]),
    metric(
      "cargoproof_audit_findings",
      "gauge",
      "Findings of the latest self-audit by kind.",
      Object.entries(report?.findings ?? {}).map(([code, value]) => ({ labels: { code }, value })),
    ),
  );
  return out.join("\n") + "\n";
}
