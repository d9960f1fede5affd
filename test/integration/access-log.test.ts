// The hash-chained access log, the audit export and /metrics over real HTTP, on a real chain and database.
import { expect } from "chai";
import { Contract } from "ethers";
import {
  accessChainHeadLeaf,
  checkAccessLink,
  AccessLogEntrySchema,
  OwnAccessLogEntrySchema,
  type AccessLogEntry,
  type OwnAccessLogEntry,
} from "../../sdk/access-log";
import { anchorRegistryAbi } from "../../sdk/chain-abi";
import { ExportLineSchema, type ExportLine } from "../../sdk/audit/export-format";
import { HubError } from "../../sdk/client";
import { buildMerkleTree, verifyMerkleProof } from "../../sdk/merkle";
import { shipment } from "../fixtures";
import {
  admit,
  freshDatabase,
  hubEnv,
  isPostgres,
  METRICS_TOKEN,
  startHubProcess,
  startTestChain,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";

async function get(url: string, token?: string): Promise<Response> {
  return fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

async function exportAll(hubUrl: string, org: TestOrg, query: string): Promise<ExportLine[]> {
  const res = await get(`${hubUrl}/v1/audit/export?${query}`, await org.client.accessToken());
  expect(res.status, await res.clone().text()).to.equal(200);
  expect(res.headers.get("content-type")).to.match(/application\/x-ndjson/);
  const text = await res.text();
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => ExportLineSchema.parse(JSON.parse(l)));
}

/** Every line, as an auditor sees the log. */
async function accessLog(hubUrl: string, org: TestOrg): Promise<AccessLogEntry[]> {
  const res = await get(`${hubUrl}/v1/access-log?limit=1000`, await org.client.accessToken());
  expect(res.status).to.equal(200);
  const body = (await res.json()) as { entries: unknown[] };
  return body.entries.map((e) => AccessLogEntrySchema.parse(e));
}

/** The lines about an organisation's own records, as it sees them (its own sequence, no chain fields). */
async function ownLog(hubUrl: string, org: TestOrg, query = "limit=1000"): Promise<{ entries: OwnAccessLogEntry[]; next: number }> {
  const res = await get(`${hubUrl}/v1/access-log?${query}`, await org.client.accessToken());
  expect(res.status).to.equal(200);
  const body = (await res.json()) as { entries: unknown[]; next: number };
  return { entries: body.entries.map((e) => OwnAccessLogEntrySchema.strict().parse(e)), next: body.next };
}

const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe(`access log, export and metrics (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let forwarder: TestOrg;
  let airline: TestOrg;
  let stranger: TestOrg;
  let auditor: TestOrg;
  let recordId: string;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url, { AUDIT_INTERVAL_MS: "1500" }));
    forwarder = await admit(hub.url, "log-forwarder", ["FORWARDER"]);
    airline = await admit(hub.url, "log-airline", ["AIRLINE"]);
    stranger = await admit(hub.url, "log-stranger", ["HANDLER"]);
    auditor = await admit(hub.url, "log-auditor", ["AUDITOR"]);
    const { record } = await forwarder.client.publish("Shipment", shipment());
    recordId = record.id;
    await forwarder.client.grant(recordId, airline.id);
    await airline.client.getRecord(recordId);
    for (const id of [recordId, "no-such-record"]) {
      const err = await stranger.client.getRecord(id).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(HubError);
      expect((err as HubError).status).to.equal(404);
    }
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("logs grants, reads and denials, and shows an owner who touched its records, nobody else's", async function () {
    const mine = (await ownLog(hub.url, forwarder)).entries;
    const about = mine.filter((e) => e.recordId === recordId);
    expect(about.map((e) => `${e.actor}:${e.action}`)).to.include.members([`${forwarder.id}:GRANT`, `${airline.id}:READ`, `${stranger.id}:DENY`]);
    const denied = about.find((e) => e.action === "DENY")!;
    expect(denied.detail).to.equal("READ");
    expect(mine.every((e) => e.owner === forwarder.id)).to.equal(true);
    // The denial of a record that does not exist belongs to no owner: nobody but auditors sees it.
    expect(mine.some((e) => e.recordId === "no-such-record")).to.equal(false);
    expect((await ownLog(hub.url, stranger)).entries.some((e) => e.recordId === recordId)).to.equal(false);
  });

  it("chains every line to the one before in its owner's chain, and an auditor sees every chain", async function () {
    const all = await accessLog(hub.url, auditor);
    const denial = all.find((e) => e.recordId === "no-such-record" && e.action === "DENY");
    // A line about no owner's record is in the hub's own chain.
    expect(denial?.chain).to.equal("");
    const chains = new Map<string, AccessLogEntry[]>();
    for (const e of all) {
      expect(e.chain, `line ${e.seq} has a chain`).to.be.a("string");
      expect(e.chain).to.equal(e.owner ?? "");
      chains.set(e.chain!, [...(chains.get(e.chain!) ?? []), e]);
    }
    expect([...chains.keys()]).to.include.members(["", forwarder.id]);
    for (const [key, lines] of chains) {
      expect(
        lines.map((e) => e.chainSeq),
        `chain "${key}"`,
      ).to.deep.equal(lines.map((_, i) => i + 1));
      lines.forEach((e, i) =>
        expect(checkAccessLink(i === 0 ? undefined : { seq: i, hash: lines[i - 1]!.hash }, e), `chain "${key}" line ${i + 1}`).to.equal(undefined),
      );
    }
  });

  it("an auditor pages one chain by its chainSeq (?chain=), so polling passes no line over", async function () {
    const token = await auditor.client.accessToken();
    const page = async (q: string) => {
      const res = await get(`${hub.url}/v1/access-log?${q}`, token);
      expect(res.status).to.equal(200);
      const body = (await res.json()) as { entries: unknown[]; next: number };
      return { entries: body.entries.map((e) => AccessLogEntrySchema.parse(e)), next: body.next };
    };
    const whole = await page(`chain=${forwarder.id}&limit=1000`);
    expect(whole.entries.length).to.be.at.least(3);
    expect(whole.entries.every((e) => e.chain === forwarder.id)).to.equal(true);
    expect(whole.entries.map((e) => e.chainSeq)).to.deep.equal(whole.entries.map((_, i) => i + 1));
    expect(whole.next).to.equal(whole.entries.length);
    const part = await page(`chain=${forwarder.id}&after=1&limit=2`);
    expect(part.entries).to.deep.equal(whole.entries.slice(1, 3));
    expect(part.next).to.equal(3);
    const hubs = await page("chain=&limit=1000");
    expect(hubs.entries.some((e) => e.recordId === "no-such-record")).to.equal(true);
    expect(hubs.entries.every((e) => e.chain === "" && e.owner === null)).to.equal(true);
    // Not an auditor: its own view, whatever chain it names.
    const mine = await ownLog(hub.url, stranger, `chain=${forwarder.id}&limit=1000`);
    expect(mine.entries.some((e) => e.owner === forwarder.id)).to.equal(false);
  });

  it("anchors every chain's head with a batch, on chain: a proof of its leaf folds to the anchored root", async function () {
    const heads = new Map<string, number>();
    for (const e of await accessLog(hub.url, auditor)) heads.set(e.chain!, e.chainSeq!);
    expect(heads.size).to.be.at.least(2);
    const registry = new Contract(chain.deployment.anchorRegistry, anchorRegistryAbi, chain.provider);
    for (const [key, seq] of heads) {
      const { batch, head } = await until(`a batch anchoring chain "${key}" at ${seq}`, async () => {
        const lines = await exportAll(hub.url, auditor, "scope=all");
        for (const l of lines) {
          if (l.kind !== "batch" || l.status !== "ANCHORED") continue;
          const h = l.accessLogChains?.find((c) => c.chain === key && c.seq >= seq);
          if (h) return { batch: l, head: h };
        }
        return undefined;
      });
      // The anchored head is that chain's line at that place.
      const line = (await accessLog(hub.url, auditor)).find((e) => e.chain === key && e.chainSeq === head.seq);
      expect(line?.hash).to.equal(head.hash);
      const leaf = accessChainHeadLeaf(key, head.seq, head.hash);
      const index = batch.leaves.indexOf(leaf);
      expect(index, `chain "${key}"'s head leaf in batch ${batch.id}`).to.be.at.least(0);
      const tree = buildMerkleTree(batch.leaves);
      expect(verifyMerkleProof(leaf, tree.proof(index), batch.root)).to.equal(true);
      // Bound to its chain: the same head as another chain's leaf is not in the batch.
      expect(batch.leaves).to.not.include(accessChainHeadLeaf(`${key}x`, head.seq, head.hash));
      const events = await registry.queryFilter(registry.filters.Anchored!(batch.root));
      expect(events).to.have.length(1);
    }
  });

  it("exports only to auditors in full, and anyone its own records with proofs; the denial is logged", async function () {
    const res = await get(`${hub.url}/v1/audit/export?scope=all`, await forwarder.client.accessToken());
    expect(res.status).to.equal(403);
    expect(res.headers.get("content-type")).to.match(/application\/problem\+json/);
    expect(((await res.json()) as { type: string }).type).to.match(/auditor-only$/);
    const all = await accessLog(hub.url, auditor);
    expect(all.some((e) => e.actor === forwarder.id && e.action === "DENY" && e.detail === "EXPORT all")).to.equal(true);

    await forwarder.client.waitForProof(recordId);
    const own = await exportAll(hub.url, forwarder, "scope=own");
    expect(own[0]!.kind).to.equal("header");
    expect(own.at(-1)!.kind).to.equal("end");
    expect(own.some((l) => l.kind === "batch")).to.equal(false);
    const records = own.filter((l): l is Extract<ExportLine, { kind: "record" }> => l.kind === "record");
    expect(records.map((r) => r.record.id)).to.deep.equal([recordId]);
    expect(records[0]!.proof?.root).to.match(/^0x[0-9a-f]{64}$/);
    // Its access lines are its own log as GET /v1/access-log shows it: its own sequence, no chain fields.
    const lines = own.flatMap((l) => (l.kind === "access" ? [l.entry] : []));
    expect(lines.length).to.be.greaterThan(0);
    expect(lines.map((e) => e.seq)).to.deep.equal(lines.map((_, i) => i + 1));
    for (const e of lines) expect(e).to.not.have.any.keys("hash", "prevHash");
    expect(lines).to.deep.equal((await ownLog(hub.url, forwarder)).entries.slice(0, lines.length));
    expect((await get(`${hub.url}/v1/audit/export?scope=all`)).status).to.equal(401);
    const bad = await get(`${hub.url}/v1/audit/export?scope=all&after=not-a-cursor`, await auditor.client.accessToken());
    expect(bad.status).to.equal(400);
  });

  it("resumes an export after any line's cursor with exactly the lines that followed it", async function () {
    const full = await exportAll(hub.url, auditor, "scope=all");
    const body = full.filter((l) => l.kind !== "header" && l.kind !== "end") as Extract<ExportLine, { cursor: string }>[];
    expect(body.length).to.be.greaterThan(3);
    for (const cut of [0, 1, Math.floor(body.length / 2), body.length - 2]) {
      const rest = await exportAll(hub.url, auditor, `scope=all&after=${encodeURIComponent(body[cut]!.cursor)}`);
      const tail = rest.filter((l) => l.kind !== "header" && l.kind !== "end") as Extract<ExportLine, { cursor: string }>[];
      const before = new Set(body.slice(0, cut + 1).map((l) => l.cursor));
      expect(
        tail.filter((l) => before.has(l.cursor)),
        "nothing up to the cursor comes again",
      ).to.deep.equal([]);
      // The hub keeps working meanwhile (each export is logged, the log's head anchored in new
      // batches), so the resumed export may hold more: everything that followed the cursor comes, in order.
      let j = 0;
      for (const line of body.slice(cut + 1)) {
        while (j < tail.length && tail[j]!.cursor !== line.cursor) j++;
        expect(j, `line ${line.cursor} in the resumed export`).to.be.below(tail.length);
        if (line.kind !== "batch") expect(tail[j]).to.deep.equal(line);
        j++;
      }
    }
  });

  it("serves /metrics to the scraper's token, operators and auditors only, with the self-audit's result", async function () {
    expect((await get(`${hub.url}/metrics`)).status).to.equal(401);
    expect((await get(`${hub.url}/metrics`, await forwarder.client.accessToken())).status).to.equal(403);
    expect((await get(`${hub.url}/metrics`, "x".repeat(64))).status).to.equal(401);
    const byAuditor = await get(`${hub.url}/metrics`, await auditor.client.accessToken());
    expect(byAuditor.status).to.equal(200);
    const text = await until("a clean self-audit in /metrics", async () => {
      const t = await (await get(`${hub.url}/metrics`, METRICS_TOKEN)).text();
      return /^cargoproof_audit_clean 1$/m.test(t) && !/^cargoproof_audit_records_checked 0$/m.test(t) ? t : undefined;
    });
    expect(text).to.match(/^# TYPE cargoproof_anchor_lag_seconds gauge$/m);
    expect(text).to.match(/^cargoproof_anchor_lag_seconds \d+(\.\d+)?$/m);
    expect(Number(/^cargoproof_audit_records_checked (\d+)$/m.exec(text)![1])).to.be.at.least(1);
    expect(Number(/^cargoproof_records_total (\d+)$/m.exec(text)![1])).to.equal(1);
    expect(text).to.match(/^cargoproof_anchor_batches\{status="ANCHORED"\} [1-9]\d*$/m);
  });

  it("numbers an organisation's own lines 1, 2, 3, ... with no gaps, however busy the rest of the hub is", async function () {
    // (Last: it adds records, which the tests above count.) Another organisation's records are read and
    // granted between the forwarder's own lines.
    const busy = async () => {
      const { record } = await airline.client.publish("Shipment", shipment());
      await airline.client.grant(record.id, stranger.id);
      await stranger.client.getRecord(record.id);
      await stranger.client.getRecord(record.id);
    };
    for (let i = 0; i < 3; i++) {
      await busy();
      const { record } = await forwarder.client.publish("Shipment", shipment());
      await forwarder.client.grant(record.id, airline.id);
      await airline.client.getRecord(record.id);
    }
    const { entries, next } = await ownLog(hub.url, forwarder);
    expect(entries.length).to.be.greaterThan(6);
    expect(entries.map((e) => e.seq)).to.deep.equal(entries.map((_, i) => i + 1));
    expect(next).to.equal(entries.length);
    // The hub-wide log has the other organisation's lines in between: gaps the forwarder no longer sees.
    const hubWide = (await accessLog(hub.url, auditor)).filter((e) => e.owner === forwarder.id).map((e) => e.seq);
    expect(hubWide).to.have.length(entries.length);
    expect(hubWide.at(-1)! - hubWide[0]!).to.be.greaterThan(entries.length);
    // Pages count in the organisation's own sequence.
    const page = await ownLog(hub.url, forwarder, "after=2&limit=3");
    expect(page.entries.map((e) => e.seq)).to.deep.equal([3, 4, 5]);
    expect(page.next).to.equal(5);
    expect(page.entries).to.deep.equal(entries.slice(2, 5));
  });
});
