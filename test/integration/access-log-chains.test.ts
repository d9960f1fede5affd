// The access log chained per owner organisation (issue 17) with two hub processes on one database:
// reads of two owners' records, through both hubs at once, leave each owner's chain gapless and
// verifying, each chain's head anchored, and the auditor's export audits clean.
import { expect } from "chai";
import { checkAccessLink, AccessLogEntrySchema, type AccessLogEntry } from "../../sdk/access-log";
import { auditExport } from "../../sdk/audit/audit";
import { ExportLineSchema, type ExportLine } from "../../sdk/audit/export-format";
import { HubClient } from "../../sdk/client";
import { shipment } from "../fixtures";
import {
  admit,
  freshDatabase,
  hubEnv,
  isPostgres,
  sql,
  startHubProcess,
  startTestChain,
  waitFor,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";

/** The auditor's export from the hub at `hubUrl` (each hub issues its own tokens). */
async function exportAll(hubUrl: string, auditor: TestOrg): Promise<ExportLine[]> {
  const client = new HubClient({ baseUrl: hubUrl, orgId: auditor.id, privateKey: auditor.key.privateKey });
  const res = await fetch(`${hubUrl}/v1/audit/export?scope=all`, { headers: { authorization: `Bearer ${await client.accessToken()}` } });
  expect(res.status).to.equal(200);
  return (await res.text())
    .split("\n")
    .filter(Boolean)
    .map((l) => ExportLineSchema.parse(JSON.parse(l)));
}

describe(`access log chains with two hub processes (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hubs: HubProcess[] = [];

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    const env = (id: string) => hubEnv(chain, database.url, { INSTANCE_ID: id });
    hubs = [await startHubProcess(env("hub-a")), await startHubProcess(env("hub-b"))];
  });

  after(async function () {
    for (const h of hubs) await h.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("two owners' chains appended concurrently from both hubs stay gapless, verify, are anchored, and audit clean", async function () {
    const [a, b] = hubs as [HubProcess, HubProcess];
    const owners = [await admit(a.url, "chain-forwarder", ["FORWARDER"]), await admit(a.url, "chain-airline", ["AIRLINE"])];
    const reader = await admit(a.url, "chain-handler", ["HANDLER"]);
    const auditor = await admit(a.url, "chain-auditor", ["AUDITOR"]);
    const records: { owner: TestOrg; id: string }[] = [];
    for (const owner of owners) {
      const { record } = await owner.client.publish("Shipment", shipment());
      await owner.client.grant(record.id, reader.id);
      records.push({ owner, id: record.id });
    }
    // The same reader through each hub: its own client per hub (tokens are the hub's, one database).
    const viaHub = [a, b].map((h) => new HubClient({ baseUrl: h.url, orgId: reader.id, privateKey: reader.key.privateKey }));
    const READS = 60;
    const jobs = Array.from({ length: READS * 2 }, (_, i) => ({ hub: viaHub[i % 2]!, record: records[Math.floor(i / 2) % 2]! }));
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < jobs.length) {
          const job = jobs[next++]!;
          await job.hub.getRecord(job.record.id);
        }
      }),
    );

    const rows = await sql<{ seq: unknown; chain: string | null; chainSeq: unknown; ownerSeq: unknown; owner: string | null; action: string }>(
      database.url,
      `SELECT "seq", "chain", "chainSeq", "ownerSeq", "owner", "action" FROM "AccessLogEntry" ORDER BY "seq"`,
    );
    for (const { owner } of records) {
      const mine = rows.filter((r) => r.chain === owner.id);
      // GRANT, then the reads: each chain numbered 1..n with no gap, its owner's own sequence the same.
      expect(
        mine.filter((r) => r.action === "READ"),
        owner.id,
      ).to.have.length(READS);
      const places = mine.map((r) => Number(r.chainSeq)).sort((x, y) => x - y);
      expect(places).to.deep.equal(places.map((_, i) => i + 1));
      expect(mine.map((r) => Number(r.ownerSeq)).sort((x, y) => x - y)).to.deep.equal(places);
      expect(mine.every((r) => r.owner === owner.id)).to.equal(true);
    }
    // The two chains were written at once: their rows interleave.
    const order = rows.filter((r) => r.action === "READ").map((r) => r.chain);
    const switches = order.filter((c, i) => i > 0 && c !== order[i - 1]).length;
    expect(switches, "reads of the two owners interleave").to.be.greaterThan(4);
    const heads = await sql<{ chain: string; seq: unknown }>(database.url, `SELECT "chain", "seq" FROM "AccessLogChainHead"`);
    for (const { owner } of records) expect(Number(heads.find((h) => h.chain === owner.id)?.seq)).to.equal(rows.filter((r) => r.chain === owner.id).length);

    // Each chain's lines, as the auditor's export lists them, link one to the next.
    const chained = new Map<string, AccessLogEntry[]>();
    const lastHead = new Map<string, number>();
    await waitFor(
      "every chain's head anchored",
      async () => {
        const lines = await exportAll(a.url, auditor);
        chained.clear();
        for (const l of lines)
          if (l.kind === "access") {
            const e = AccessLogEntrySchema.parse(l.entry);
            chained.set(e.chain!, [...(chained.get(e.chain!) ?? []), e]);
          }
        lastHead.clear();
        for (const l of lines)
          if (l.kind === "batch" && l.status === "ANCHORED")
            for (const h of l.accessLogChains ?? []) lastHead.set(h.chain, Math.max(lastHead.get(h.chain) ?? 0, h.seq));
        return records.every(({ owner }) => (lastHead.get(owner.id) ?? 0) >= READS + 1);
      },
      60_000,
    );
    for (const { owner } of records) {
      const lines = chained.get(owner.id)!;
      expect(lines.map((e) => e.chainSeq)).to.deep.equal(lines.map((_, i) => i + 1));
      lines.forEach((e, i) => expect(checkAccessLink(i === 0 ? undefined : { seq: i, hash: lines[i - 1]!.hash }, e)).to.equal(undefined));
    }

    const report = await auditExport(
      (await exportAll(b.url, auditor)).map((l) => JSON.stringify(l)),
      {
        provider: chain.provider,
        contracts: { participantRegistry: chain.deployment.participantRegistry, anchorRegistry: chain.deployment.anchorRegistry },
        workers: 0,
      },
    );
    expect(report.findings).to.deep.equal([]);
    expect(report.clean).to.equal(true);
    expect(report.summary.counts.access).to.be.at.least(2 * (READS + 1));
  });
});
