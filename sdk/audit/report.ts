import { FINDING_CODES, type AuditReport, type FindingCode } from "./findings";

/** The audit report as text for a person: verdict, scope, chain range, counts, findings by kind. */

/** What each finding code means, in one line (also the legend of docs/audit.md). */
export const FINDING_TITLES: Record<FindingCode, string> = {
  "content-mismatch": "records whose content no longer matches their digest",
  "signature-invalid": "records whose signature is malformed or recovers no key",
  "signer-not-member": "records signed by a key that was not an active key of their owner at the time",
  "not-anchored": "records never anchored (overdue, not in their batch, or their batch unknown)",
  "anchored-late": "records anchored later than the allowed lag",
  "batch-root-mismatch": "batches whose leaves do not fold to their root (or leaf count)",
  "batch-not-on-chain": "batches marked anchored whose root is in no Anchored event",
  "missing-record": "batch leaves with no record in the export",
  "unreported-root": "roots anchored on chain that no batch of the export reports",
  "access-log-gap": "breaks in the access log's hash chain (missing, altered or reordered entries)",
  "access-log-head-mismatch": "anchored access-log heads the log does not match",
  "batch-withheld": "anchorings by the hub's anchorer that no batch of the export reports",
  "batch-replaced": "batches claiming another root or leaf count than their anchoring transaction holds",
  "batch-reordered": "batches listed in another order than the chain anchored them",
  "anchor-chain-broken": "anchorings that do not follow from their anchorer's previous head (events missing, reordered or altered)",
  "anchor-chain-head-mismatch": "anchorers whose replayed chain does not reach the contract's head",
  "anchorer-reset": "anchorers removed and re-admitted: their chain restarted from genesis",
};

const n = (x: number) => x.toLocaleString("en-US");
const MAX_EXAMPLES = 5;

export function formatReport(report: AuditReport): string {
  const s = report.summary;
  const out: string[] = [];
  out.push(report.clean ? "AUDIT CLEAN: nothing found" : `AUDIT FOUND PROBLEMS: ${n(s.totalFindings)} finding${s.totalFindings === 1 ? "" : "s"}`);
  out.push(`export:  ${s.format}, scope ${s.scope} (as ${s.orgId}), exported ${s.exportedAt}`);
  out.push(
    `chain:   ${s.chain.chainId}, blocks ${n(s.chain.fromBlock)}..${n(s.chain.toBlock)}, anchor registry ${s.chain.anchorRegistry}, ` +
      `${n(s.chain.anchoredRoots)} anchored roots, ${n(s.chain.revocations)} revocations`,
  );
  for (const c of s.chain.anchorChains)
    out.push(
      `anchors: ${c.anchorer}: ${n(c.anchorings)} anchoring${c.anchorings === 1 ? "" : "s"} replayed from ${c.fromAdmission ? "its admission" : "the range's start"} ` +
        `to ${c.replayedHead === c.contractHead ? "the contract's head" : "a head the contract does not have"}${c.resets > 0 ? `, ${c.resets} reset${c.resets === 1 ? "" : "s"}` : ""}`,
    );
  out.push(
    `checked: ${n(s.counts.records)} records, ${n(s.counts.batches)} batches, ${n(s.counts.access)} access-log entries (max anchor lag ${n(s.maxAnchorLagS)} s)`,
  );
  out.push(
    `time:    ${(s.timings.totalMs / 1000).toFixed(1)} s (chain ${(s.timings.chainMs / 1000).toFixed(1)} s, export ${(s.timings.streamMs / 1000).toFixed(1)} s, ` +
      `${n(Math.round(s.timings.recordsPerS))} records/s)`,
  );
  if (s.totalFindings > 0) {
    out.push("", "findings:");
    for (const code of FINDING_CODES) {
      const count = s.findings[code] ?? 0;
      if (count === 0) continue;
      out.push(`  ${code.padEnd(27)} ${n(count).padStart(9)}  ${FINDING_TITLES[code]}`);
      const examples = report.findings.filter((f) => f.code === code).slice(0, MAX_EXAMPLES);
      for (const f of examples) out.push(`      - ${f.line !== undefined ? `line ${f.line}: ` : ""}${f.message}`);
      if (count > examples.length)
        out.push(
          `      ... and ${n(count - examples.length)} more${count > report.findings.filter((f) => f.code === code).length ? " (the JSON report keeps the first 1,000)" : " (see the JSON report)"}`,
        );
    }
  }
  if (report.revoked.length > 0) {
    out.push("", `revoked by their publishers (not findings): ${n(report.revoked.length)}`);
    for (const r of report.revoked.slice(0, MAX_EXAMPLES)) out.push(`      - ${r.recordId} v${r.version} (${r.owner}) revoked ${r.revokedAt}: ${r.reason}`);
    if (report.revoked.length > MAX_EXAMPLES) out.push(`      ... and ${n(report.revoked.length - MAX_EXAMPLES)} more (see the JSON report)`);
  }
  for (const w of s.warnings) out.push(`warning: ${w}`);
  return out.join("\n") + "\n";
}
