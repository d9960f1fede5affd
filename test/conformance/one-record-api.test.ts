// The published ONE Record examples through a real hub's ONE Record API: each one is accepted by
// the matching endpoint and read back equal as JSON-LD data (URDNA2015 canonical form).
import { expect } from "chai";
import * as jsonld from "jsonld";
import { OneRecordClient } from "../../sdk/one-record/client";
import { API_SCHEMAS, apiObjectOf } from "../../sdk/one-record/api-objects";
import type { JsonObject } from "../../sdk/one-record/jsonld";
import { CARGO } from "../../sdk/one-record/vocabulary";
import { admit, freshDatabase, hubEnv, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "../integration/harness";
import { listFiles, readJson, standardsFile } from "./standards";

const noNetwork = async (url: string): Promise<never> => {
  throw new Error(`no network in this suite: refused to load ${url}`);
};
const canonical = (doc: unknown) =>
  jsonld.canonize(doc as jsonld.JsonLdDocument, { algorithm: "URDNA2015", format: "application/n-quads", documentLoader: noNetwork } as jsonld.Options.Normalize);

// Two examples give an @id with a leading space: JSON-LD drops such a node entirely, which would make the comparison empty.
const trimIds = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(trimIds) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === "@id" && typeof x === "string" ? x.trim() : trimIds(x)])) : v;

const typesOf = (doc: unknown): string[] => {
  const t = (doc as { "@type"?: unknown })["@type"];
  return (Array.isArray(t) ? t : [t]).filter((x): x is string => typeof x === "string");
};
const isCargo = (doc: unknown) => typesOf(doc).some((t) => t.startsWith("cargo:") || t.startsWith(CARGO));
const isEvent = (doc: unknown) => typesOf(doc).some((t) => t === "cargo:LogisticsEvent" || t === `${CARGO}LogisticsEvent`);

/** The revision counters are the server's, not the object's data: compare without them. */
function withoutRevisions(doc: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(doc)) if (!/(^|#|:)has(Latest)?Revision$/.test(k)) out[k] = v;
  return out;
}

describe("ONE Record examples through the ONE Record API", function () {
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let holder: TestOrg;
  let client: OneRecordClient;
  const load = (f: string) => trimIds(readJson(standardsFile("one-record", "examples", f))) as JsonObject;
  const files = listFiles("one-record/examples", ".json");

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    holder = await admit(hub.url, "iata-example", ["FORWARDER", "AIRLINE"]);
    client = new OneRecordClient({ hub: holder.client, orgId: holder.id, privateKey: holder.key.privateKey });
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  const objects = files.filter((f) => isCargo(load(f)) && !isEvent(load(f)));
  it("covers the logistics object examples", function () {
    expect(objects).to.include.members(["Piece.json", "Company.json", "Shipment_with_Piece.json", "Sensor.expanded.json"]);
  });

  for (const file of objects) {
    it(`${file}: POST /logistics-objects accepts it; GET reads back the same JSON-LD data`, async function () {
      const doc = load(file);
      const created = await client.createObject(doc);
      const read = await client.getObject(created.iri);
      // The hub mints the object's IRI: the example's own @id (if any) is the one thing that changes.
      const expected = await canonical({ ...withoutRevisions(doc), "@id": created.iri });
      const actual = await canonical(withoutRevisions(read.object));
      expect(expected.length).to.be.greaterThan(0);
      expect(actual).to.equal(expected);
    });
  }

  it("our errors have the shape of the specification's Error examples", async function () {
    for (const file of files.filter((f) => /^Error_/.test(f))) {
      expect(API_SCHEMAS.Error.safeParse(apiObjectOf(load(file))).success, file).to.equal(true);
    }
    const res = await fetch(`${hub.url}/logistics-objects/${crypto.randomUUID()}`, { headers: { authorization: `Bearer ${await holder.client.accessToken()}`, accept: "application/ld+json" } });
    expect(res.status).to.equal(404);
    const body = (await res.json()) as JsonObject;
    const parsed = API_SCHEMAS.Error.safeParse(apiObjectOf(body));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).to.equal(true);
    // Same JSON-LD structure as Error_404.json: an api:Error with a title and ErrorDetails carrying a code and a message.
    const sample = apiObjectOf(load("Error_404.json"));
    const ours = apiObjectOf(body);
    for (const key of ["@type", "hasTitle", "hasErrorDetail"]) {
      expect(Object.keys(sample), key).to.include(key);
      expect(Object.keys(ours), key).to.include(key);
    }
    const detail = (Array.isArray(ours.hasErrorDetail) ? ours.hasErrorDetail[0] : ours.hasErrorDetail) as JsonObject;
    expect(detail).to.include({ hasCode: "404" });
  });
});
