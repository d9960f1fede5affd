// The audit's line checking, inline and on worker threads: same results, same order, same numbering.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { keccakReady } from "../../sdk/bytes";
import { fileLines } from "../../sdk/audit/export-file";
import type { ExportLine } from "../../sdk/audit/export-format";
import { checkExportLine } from "../../sdk/audit/line-check";
import { checkLines, type NumberedLine } from "../../sdk/audit/line-pool";
import { buildMerkleTree } from "../../sdk/merkle";
import { prepareRecord } from "../../sdk/digest";
import { signRecord } from "../../sdk/signature";
import { shipment } from "../fixtures";

const key = Wallet.createRandom();

function recordLine(i: number): string {
  const record = signRecord(
    key.privateKey,
    prepareRecord({ type: "Shipment", id: `shp-${i}`, version: 1, owner: "acme-shipping" }, shipment({ pieceCount: i })),
  );
  // Every 97th record is tampered with, so the results differ from line to line.
  if (i % 97 === 0) record.body.origin = "LHR";
  return JSON.stringify({ kind: "record", cursor: `r:${i}`, record, publishedAt: new Date(1_700_000_000_000 + i).toISOString(), batchId: null });
}

async function collect(lines: AsyncIterable<NumberedLine>): Promise<NumberedLine[]> {
  const out: NumberedLine[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

describe("audit line checking", function () {
  this.timeout(120_000);
  let lines: string[];

  before(async () => {
    await keccakReady;
    lines = Array.from({ length: 3000 }, (_, i) => recordLine(i + 1));
    lines.splice(1500, 0, "", "   "); // blank lines are skipped but keep the numbering of the file
    lines.splice(
      2000,
      0,
      JSON.stringify({
        kind: "batch",
        cursor: "b:1",
        id: "b1",
        root: buildMerkleTree([`0x${"11".repeat(32)}`]).root,
        leafCount: 1,
        leaves: [`0x${"11".repeat(32)}`],
        status: "BUILT",
      }),
    );
    lines.push("not json");
  });

  it("checks records: digest recomputed, signer recovered, content problems named", () => {
    const good = checkExportLine(lines[0]);
    expect(good).to.include({ kind: "record", id: "shp-1", version: 1, owner: "acme-shipping", signer: key.address, wellFormed: true });
    const g = good as Extract<typeof good, { kind: "record" }>;
    expect(g.computed).to.equal(g.digest);
    const bad = checkExportLine(lines[96]) as typeof g;
    expect(bad.id).to.equal("shp-97");
    expect(bad.computed).to.not.equal(bad.digest);
    const malformed = checkExportLine(lines[0].replace('"salts":{', '"salts":{"extra":"0x00112233445566778899aabbccddeeff",')) as typeof g;
    expect(malformed).to.include({ wellFormed: false, id: "shp-1" });
    expect(malformed.contentError).to.match(/^malformed record: .*extra/);
    expect(checkExportLine('{"kind":"batch"}')).to.deep.include({ kind: "invalid" });
  });

  it("worker threads give the inline results, in order, with the file's line numbers", async () => {
    const inline = await collect(checkLines(lines, { workers: 0 }));
    const pooled = await collect(
      checkLines(
        (async function* () {
          yield* lines;
        })(),
        { workers: 2, inlineLines: 300 },
      ),
    );
    expect(inline).to.have.length(lines.length - 2);
    expect(pooled).to.deep.equal(inline);
    expect(inline[1499].lineNo).to.equal(1500);
    expect(inline[1500].lineNo).to.equal(1503);
    expect(inline[inline.length - 1]).to.deep.include({ kind: "invalid", lineNo: lines.length });
    expect(inline.filter((l) => l.kind === "record" && l.computed !== l.digest)).to.have.length(30);
  });

  it("an export file read as bytes by the workers gives the results of its lines as text", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cargoproof-line-pool-"));
    try {
      const file = join(dir, "export.jsonl");
      // CRLF and lone CR line ends, and no newline at the end: numbered as readline numbers them.
      writeFileSync(file, lines.slice(0, 1000).join("\n") + "\r\n" + lines.slice(1000, 1600).join("\r\n") + "\r" + lines.slice(1600).join("\n"));
      const inline = await collect(checkLines(lines, { workers: 0 }));
      const asBytes = await collect(checkLines(fileLines(file), { workers: 2, inlineLines: 300 }));
      const asBytesInline = await collect(checkLines(fileLines(file), { workers: 0 }));
      expect(asBytes).to.deep.equal(inline);
      expect(asBytesInline).to.deep.equal(inline);
      const asText: string[] = [];
      for await (const l of fileLines(file)) asText.push(l);
      expect(asText).to.deep.equal(lines);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("accepts parsed lines as well as text", async () => {
    const parsed = lines.slice(0, 50).map((l) => JSON.parse(l) as ExportLine);
    const fromObjects = await collect(checkLines(parsed, { workers: 1, inlineLines: 10 }));
    const fromText = await collect(checkLines(lines.slice(0, 50), { workers: 0 }));
    expect(fromObjects).to.deep.equal(fromText);
  });
});
