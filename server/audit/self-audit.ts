import { z } from "zod";
import { auditExport } from "../../sdk/audit/audit";
import { reopenBatchesIfLost } from "../anchoring/lost-batches";
import type { ProofService } from "../anchoring/proofs";
import type { HubChain } from "../chain/hub-chain";
import type { Db, DbProvider } from "../db/client";
import { execute, query } from "../db/sql";
import { OPERATOR_ORG_ID } from "../orgs/service";
import { Lease } from "../lease";
import { RepeatingTask } from "../repeating-task";
import { exportLines, type ExportChain } from "./export";

/**
 * What a self-audit pass found, as /metrics shows it: stored for the whole hub, so every instance
 * shows the latest pass of any of them.
 */
export const SelfAuditResultSchema = z.object({
  finishedAt: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
  /** The instance that ran it. */
  instance: z.string(),
  /** Present when the pass ran to completion. */
  report: z
    .object({
      clean: z.boolean(),
      records: z.number().int().nonnegative(),
      findings: z.record(z.string(), z.number().int().nonnegative()),
    })
    .optional(),
  /** Why the run could not complete (the chain unreachable, say). */
  error: z.string().optional(),
});
export type SelfAuditResult = z.infer<typeof SelfAuditResultSchema>;

export interface SelfAuditOptions {
  intervalMs: number;
  maxAnchorLagS: number;
  fromBlock: number;
  /** This hub process's identity for the self-audit lease. */
  instanceId: string;
  log?: (line: string) => void;
}

const LEASE = "self-audit";
/** The lease is renewed every third of this while a pass runs; a crashed auditor's lease frees this long after. */
const LEASE_TTL_MS = 60_000;

/**
 * The hub audits itself on a schedule with the auditor's own engine (sdk/audit) over the same
 * export lines an auditor downloads, so /metrics shows what an outside audit would find.
 *
 * Once per hub, not per instance: a pass runs under the "self-audit" lease (server/lease.ts), kept
 * for one and a half intervals after it ends. The holder's next pass, an interval later, renews it;
 * the other instances pass their turn until the holder stops or dies. So one instance audits per
 * interval, never two at once. Each pass's result is stored (SelfAuditLatest), and /metrics on any
 * instance shows the latest.
 */
export class SelfAudit {
  private running: Promise<SelfAuditResult | undefined> | undefined;
  private readonly task: RepeatingTask<SelfAuditResult | undefined>;
  private readonly lease: Lease;

  constructor(
    private readonly db: Db,
    private readonly provider: DbProvider,
    private readonly proofs: ProofService,
    private readonly chain: HubChain,
    private readonly exportChain: ExportChain,
    private readonly opts: SelfAuditOptions,
  ) {
    this.lease = new Lease(db, LEASE, opts.instanceId, LEASE_TTL_MS);
    this.task = new RepeatingTask(
      () => this.run(),
      () => opts.intervalMs,
      (err) => opts.log?.(`[audit] self-audit failed: ${err.message}`),
      false,
    );
  }

  /** The first run comes soon after start, later ones at the interval. */
  start(): void {
    this.task.start(Math.min(this.opts.intervalMs, 60_000));
  }

  async stop(): Promise<void> {
    await this.task.stop();
    await this.running?.catch(() => undefined);
  }

  /**
   * One audit of the whole hub, unless another instance holds the lease (undefined then); concurrent
   * calls share the run in progress.
   */
  run(): Promise<SelfAuditResult | undefined> {
    this.running ??= this.lease.run(() => this.audit(), this.opts.intervalMs * 1.5).finally(() => (this.running = undefined));
    return this.running;
  }

  private async audit(): Promise<SelfAuditResult> {
    const started = Date.now();
    let result: SelfAuditResult;
    try {
      // The chain up to one block, and the hub's batches as they stood at that block.
      const toBlock = await this.chain.provider.getBlockNumber();
      const lines = exportLines(this.db, this.provider, this.proofs, this.exportChain, {
        scope: "all",
        orgId: OPERATOR_ORG_ID,
        roles: ["OPERATOR"],
        asOfBlock: toBlock,
      });
      const report = await auditExport(lines, {
        provider: this.chain.provider,
        contracts: this.chain.contracts,
        fromBlock: this.opts.fromBlock,
        toBlock,
        maxAnchorLagS: this.opts.maxAnchorLagS,
        // One thread: the scheduled audit must not take the cores that serve requests.
        workers: 0,
      });
      const summary = { clean: report.clean, records: report.summary.counts.records, findings: report.summary.findings };
      result = { finishedAt: new Date().toISOString(), durationMs: Date.now() - started, instance: this.opts.instanceId, report: summary };
      if (!report.clean) this.opts.log?.(`[audit] self-audit found problems: ${JSON.stringify(report.summary.findings)}`);
      // A batch marked anchored that the chain does not have is anchored again (if the chain still
      // lacks it when asked directly); the report keeps the finding: it was true when audited.
      const lost = report.findings.filter((f) => f.code === "batch-not-on-chain" && f.batchId).map((f) => f.batchId!);
      if (lost.length > 0) await reopenBatchesIfLost(this.db, this.chain, lost, (line) => this.opts.log?.(`[audit] ${line}`));
    } catch (err) {
      const error = (err as Error).message.slice(0, 500);
      result = { finishedAt: new Date().toISOString(), durationMs: Date.now() - started, instance: this.opts.instanceId, error };
      this.opts.log?.(`[audit] self-audit failed: ${result.error}`);
    }
    await this.store(result).catch((err: Error) => this.opts.log?.(`[audit] could not store the self-audit result: ${err.message}`));
    const outcome = result.report ? (result.report.clean ? "clean" : "findings") : "failed";
    this.opts.log?.(`[audit ${this.opts.instanceId}] self-audit pass ${new Date(started).toISOString()} to ${new Date().toISOString()}: ${outcome}`);
    return result;
  }

  /** The latest pass of any instance of this hub, or undefined when none has finished (or its row is unreadable). */
  async latest(): Promise<SelfAuditResult | undefined> {
    const [row] = await query<{ result: string }>(this.db, this.provider, `SELECT "result" FROM "SelfAuditLatest" WHERE "id" = 1`);
    if (!row) return undefined;
    const parsed = SelfAuditResultSchema.safeParse(JSON.parse(row.result));
    return parsed.success ? parsed.data : undefined;
  }

  private async store(result: SelfAuditResult): Promise<void> {
    await execute(
      this.db,
      this.provider,
      `INSERT INTO "SelfAuditLatest" ("id", "instance", "result") VALUES (1, $1, $2)
        ON CONFLICT ("id") DO UPDATE SET "instance" = excluded."instance", "result" = excluded."result"`,
      [result.instance, JSON.stringify(result)],
    );
  }
}
