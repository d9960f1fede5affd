// The access rule (server/records/access.ts) and the revocation cascade (grants.ts) on a real
// database, in process: rows written directly, so each case states exactly the links and grants it
// is about. Runs on SQLite, and on PostgreSQL under `npm run test:pg`.
import { expect } from "chai";
import { openDatabase, writeTransaction, type Database, type Db } from "../../server/db/client";
import type { Prisma } from "../../server/db/.generated/sqlite/client";
import { getAccessRequest, requestAccess } from "../../server/records/access-requests";
import { insertRows } from "../../server/db/bulk-insert";
import { migrate } from "../../server/db/migrate";
import { AccessLogWriter } from "../../server/access-log/writer";
import { HttpProblem } from "../../server/http/problem";
import { OneRecordIris } from "../../server/one-record/iris";
import { accessOf, readableIds, readableRecord } from "../../server/records/access";
import { revokeGrants } from "../../server/records/grants";
import { linksOf } from "../../server/records/links";
import { locationCodesOf, isMasterWaybill } from "../../server/one-record/customs-policy";
import { CustomsAirportsSchema } from "../../server/one-record/customs-airports";
import { CARGO } from "../../sdk/one-record/vocabulary";
import { freshDatabase, isPostgres } from "./harness";

// Rows written directly, so each case states exactly the records, links and grants it is about.
type RecordRow = [id: string, owner: string];
type LinkRow = [from: string, to: string, property?: string, fromType?: string];
type GrantRow = { recordId: string; grantee: string; scope?: string; parent?: string; expiresAt?: Date; revokedAt?: Date; fields?: string[] };

const insertRecords = (database: Database, rows: RecordRow[]) =>
  writeTransaction(database.db, (tx) =>
    insertRows(
      tx,
      database.provider,
      "Record",
      ["id", "type", "owner", "latestVersion", "createdAt", "updatedAt"],
      rows.map(([id, owner]) => [id, "LogisticsObject", owner, 1, new Date(), new Date()]),
    ),
  );
const insertLinks = (database: Database, rows: LinkRow[]) =>
  writeTransaction(database.db, (tx) =>
    insertRows(
      tx,
      database.provider,
      "RecordLink",
      ["fromId", "toId", "property", "fromObjectType"],
      rows.map(([f, t, p, ft]) => [f, t, p ?? "pieces", ft ?? "Shipment"]),
    ),
  );
/** A grant with id `id` (returned): by "someone", object scope unless said. */
async function insertGrant(database: Database, id: string, g: GrantRow): Promise<string> {
  await writeTransaction(database.db, (tx) =>
    insertRows(
      tx,
      database.provider,
      "Grant",
      ["id", "recordId", "grantee", "grantedBy", "createdAt", "expiresAt", "revokedAt", "scope", "parentGrantId", "fields"],
      [
        [
          id,
          g.recordId,
          g.grantee,
          "someone",
          new Date(),
          g.expiresAt ?? null,
          g.revokedAt ?? null,
          g.scope ?? "object",
          g.parent ?? null,
          g.fields ? JSON.stringify(g.fields) : null,
        ],
      ],
    ),
  );
  return id;
}

describe(`sharing: the access rule over links, events and delegated grants (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  let fresh: { url: string; drop(): Promise<void> };
  let database: Database;
  let n = 0;
  const uid = (p: string) => `${p}-${++n}`;
  const hour = 3_600_000;

  before(async function () {
    fresh = await freshDatabase();
    await migrate(fresh.url);
    database = await openDatabase(fresh.url);
  });
  after(async function () {
    await database?.close();
    await fresh?.drop();
  });

  const records = (rows: RecordRow[]) => insertRecords(database, rows);
  const links = (rows: LinkRow[]) => insertLinks(database, rows);
  const grant = (g: GrantRow) => insertGrant(database, uid("grant"), g);
  const readable = (orgId: string, ids: string[]) => readableIds(database.db, orgId, ids);
  const denied = async (orgId: string, id: string) => {
    const err = await readableRecord(database.db, orgId, id).then(
      () => undefined,
      (e: unknown) => e,
    );
    return err instanceof HttpProblem && err.status === 404;
  };

  it("owner and direct grants; everything else is absent, unknown ids too", async function () {
    const [a, b] = [uid("a"), uid("b")];
    await records([
      [a, "o1"],
      [b, "o1"],
    ]);
    await grant({ recordId: a, grantee: "g1" });
    await grant({ recordId: b, grantee: "g1", expiresAt: new Date(Date.now() - 1000) });
    await grant({ recordId: b, grantee: "g2", revokedAt: new Date() });
    expect([...(await readable("o1", [a, b, "nothing"]))].sort()).to.deep.equal([a, b].sort());
    expect([...(await readable("g1", [a, b, "nothing"]))]).to.deep.equal([a]);
    expect((await readable("g2", [a, b])).size).to.equal(0);
    expect(await denied("g1", b)).to.equal(true);
    expect(await denied("g1", "nothing")).to.equal(true);
    expect((await readableRecord(database.db, "g1", a)).id).to.equal(a);
  });

  it("a linked grant reaches 6 steps within its owner's records, not 7, and never across another owner", async function () {
    const chain = Array.from({ length: 8 }, () => uid("c"));
    const foreign = uid("foreign");
    const beyond = uid("beyond");
    await records([...chain.map((id) => [id, "o1"] as [string, string]), [foreign, "o2"], [beyond, "o1"]]);
    await links([...chain.slice(1).map((id, i) => [chain[i]!, id] as [string, string]), [chain[0]!, foreign], [foreign, beyond]]);
    await grant({ recordId: chain[0]!, grantee: "lg", scope: "linked" });
    const seen = await readable("lg", [...chain, foreign, beyond]);
    expect(chain.map((id) => seen.has(id))).to.deep.equal([true, true, true, true, true, true, true, false]);
    expect(seen.has(foreign), "another owner's object linked from the shipment").to.equal(false);
    expect(seen.has(beyond), "the owner's object reached only through another owner's").to.equal(false);
    // An object grant on the same record reaches nothing beyond it.
    await grant({ recordId: chain[0]!, grantee: "og" });
    expect([...(await readable("og", chain))]).to.deep.equal([chain[0]]);
  });

  it("events about a readable object are readable, whoever posted them; events about others are not", async function () {
    const [s, p, e, other, e2] = [uid("s"), uid("p"), uid("e"), uid("x"), uid("e")];
    await records([
      [s, "o1"],
      [p, "o1"],
      [e, "handler"],
      [other, "o1"],
      [e2, "handler"],
    ]);
    await links([
      [s, p],
      [e, p, "eventFor", "LogisticsEvent"],
      [e2, other, "eventFor", "LogisticsEvent"],
    ]);
    await grant({ recordId: s, grantee: "ev", scope: "linked" });
    expect([...(await readable("ev", [e, e2]))]).to.deep.equal([e]);
    expect(await denied("ev", e2)).to.equal(true);
    expect([...(await readable("o1", [e, e2]))].sort(), "the object's owner reads its events").to.deep.equal([e, e2].sort());
    // eventFor in a non-event does not count.
    const fake = uid("fake");
    await records([[fake, "handler"]]);
    await links([[fake, p, "eventFor", "Piece"]]);
    expect((await readable("ev", [fake])).size).to.equal(0);
  });

  it("a delegated grant counts only while its whole chain is active, and expires with its parent", async function () {
    const r = uid("r");
    await records([[r, "o1"]]);
    const soon = new Date(Date.now() + hour);
    const g1 = await grant({ recordId: r, grantee: "b", expiresAt: soon });
    const g2 = await grant({ recordId: r, grantee: "c", parent: g1 });
    const g3 = await grant({ recordId: r, grantee: "d", parent: g2, expiresAt: new Date(Date.now() + 2 * hour) });
    const access = await accessOf(database.db, "d", [r]);
    expect(access.get(r)).to.deep.include({ via: "grant", grantId: g3 });
    const a = access.get(r);
    expect(a?.via === "grant" ? a.expiresAt?.toISOString() : undefined, "the earliest expiry along the chain").to.equal(soon.toISOString());

    // The parent's expiry moved into the past (not through the cascade): the chain is broken.
    await database.db.$executeRawUnsafe(`UPDATE "Grant" SET "expiresAt" = '${new Date(Date.now() - 1000).toISOString()}' WHERE "id" = '${g1}'`);
    expect((await readable("c", [r])).size).to.equal(0);
    expect((await readable("d", [r])).size).to.equal(0);
    await database.db.$executeRawUnsafe(`UPDATE "Grant" SET "expiresAt" = NULL WHERE "id" = '${g1}'`);
    expect((await readable("d", [r])).size).to.equal(1);

    // Revoking the first grant revokes every descendant, and the log names the cascade.
    const log = new AccessLogWriter(database.db, database.provider);
    const named = await writeTransaction(database.db, (tx) => revokeGrants(tx, log, "o1", [g1]));
    expect(named).to.equal(1);
    const rows = await database.db.$queryRawUnsafe<{ id: string; revokedAt: unknown }[]>(`SELECT "id", "revokedAt" FROM "Grant" WHERE "recordId" = '${r}'`);
    expect(rows.every((g) => g.revokedAt !== null)).to.equal(true);
    for (const org of ["b", "c", "d"]) expect(await denied(org, r)).to.equal(true);
    const lines = await database.db.accessLogEntry.findMany({ where: { recordId: r, action: "REVOKE_GRANT" } });
    expect(lines.map((l) => l.detail).sort()).to.deep.equal([`from c (delegated from grant ${g1}, revoked)`, `from d (delegated from grant ${g2}, revoked)`]);
  });

  it("a linked grant that is itself delegated falls with its parent", async function () {
    const [s, p] = [uid("s"), uid("p")];
    await records([
      [s, "o1"],
      [p, "o1"],
    ]);
    await links([[s, p]]);
    const parent = await grant({ recordId: s, grantee: "b", scope: "linked" });
    await grant({ recordId: s, grantee: "c", scope: "linked", parent });
    expect((await readable("c", [s, p])).size).to.equal(2);
    await database.db.$executeRawUnsafe(`UPDATE "Grant" SET "revokedAt" = '${new Date().toISOString()}' WHERE "id" = '${parent}'`);
    expect((await readable("c", [s, p])).size).to.equal(0);
  });
});

describe(`sharing: whom an access request may reach (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  let fresh: { url: string; drop(): Promise<void> };
  let database: Database;
  let log: AccessLogWriter;
  let n = 0;
  const uid = (p: string) => `${p}-${++n}`;

  before(async function () {
    fresh = await freshDatabase();
    await migrate(fresh.url);
    database = await openDatabase(fresh.url);
    log = new AccessLogWriter(database.db, database.provider);
  });
  after(async function () {
    await database?.close();
    await fresh?.drop();
  });

  const records = (rows: RecordRow[]) => insertRecords(database, rows);
  const links = (rows: LinkRow[]) => insertLinks(database, rows);
  const grant = (g: GrantRow) => insertGrant(database, uid("grant"), g);
  /** Whether `owner` is asked to decide `requester`'s request for `recordId` (else it shows to nobody but the requester). */
  const decidable = async (requester: string, recordId: string, owner: string, db: Db = database.db) => {
    const view = await requestAccess(db, database.provider, log, { requestedBy: requester, recordIds: [recordId], scope: "object" });
    expect(view.status).to.equal("PENDING");
    return getAccessRequest(database.db, owner, view.id).then(
      () => true,
      () => false,
    );
  };

  it("a link in the requester's own object does not make it know the target; another's object it reads does", async function () {
    const [victim, own, theirs, other] = [uid("victim"), uid("own"), uid("theirs"), uid("other")];
    await records([
      [victim, "v1"],
      [own, "q1"],
      [theirs, "f1"],
      [other, "v1"],
    ]);
    await links([
      [own, victim],
      [theirs, other],
    ]);
    // The requester wrote the reference itself: it learned nothing from anyone.
    expect(await decidable("q1", victim, "v1")).to.equal(false);
    // A reference made by another organisation, in an object the requester reads: it may know the target.
    await grant({ recordId: theirs, grantee: "q1" });
    expect(await decidable("q1", other, "v1")).to.equal(true);
  });

  it("through a linked grant's reach, and through a field-level grant only by the fields it shares", async function () {
    const [shipment, piece, target, doc, docTarget] = [uid("shipment"), uid("piece"), uid("target"), uid("doc"), uid("doc-target")];
    await records([
      [shipment, "f2"],
      [piece, "f2"],
      [target, "v2"],
      [doc, "f2"],
      [docTarget, "v2"],
    ]);
    await links([
      [shipment, piece],
      [piece, target, "containedIn"],
      [doc, docTarget, "shipper"],
    ]);
    await grant({ recordId: shipment, grantee: "q2", scope: "linked" });
    expect(await decidable("q2", target, "v2")).to.equal(true);
    await grant({ recordId: doc, grantee: "q2", fields: ["goodsDescription"] });
    expect(await decidable("q2", docTarget, "v2")).to.equal(false);
    await grant({ recordId: doc, grantee: "q2", fields: ["shipper"] });
    expect(await decidable("q2", docTarget, "v2")).to.equal(true);
  });

  it("the denial runs the same statements for an object hundreds reference as for an id nobody has", async function () {
    const popular = uid("popular");
    const referrers = Array.from({ length: 300 }, (_, i) => uid(`ref${i}`));
    await records([[popular, "v3"], ...referrers.map((id, i): [string, string] => [id, `o${i % 7}`])]);
    await links(referrers.map((id): [string, string] => [id, popular]));
    // The requester reads something, and owns something: neither leads to the popular object.
    const [read, mine] = [uid("read"), uid("mine")];
    await records([
      [read, "o1"],
      [mine, "q3"],
    ]);
    await links([[read, referrers[1]!]]);
    await grant({ recordId: read, grantee: "q3" });
    const traced = statementsOf(database.db);
    expect(await decidable("q3", popular, "v3", traced.db)).to.equal(false);
    const forPopular = traced.statements.splice(0);
    expect(await decidable("q3", "no-such-record", "v3", traced.db)).to.equal(false);
    expect(forPopular.length).to.be.greaterThan(3);
    expect(traced.statements).to.deep.equal(forPopular);
  });
});

/**
 * The client with every statement it runs recorded (SQL text, or model call with its argument
 * shape: values replaced, lists keeping their length), to compare two code paths statement by statement.
 */
function statementsOf(db: Db): { db: Db; statements: string[] } {
  const statements: string[] = [];
  const shape = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(shape)
      : v && typeof v === "object" && !(v instanceof Date)
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]))
        : typeof v;
  const traced = new Proxy(db, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === "$queryRaw" || prop === "$executeRaw")
        return (q: Prisma.Sql) => {
          statements.push(`${q.sql.replace(/\s+/g, " ")} [${q.values.length} values]`);
          return (value as (q: Prisma.Sql) => Promise<unknown>).call(target, q);
        };
      if (typeof prop === "string" && !prop.startsWith("$") && value !== null && typeof value === "object")
        return new Proxy(value, {
          get(model, method) {
            const f: unknown = Reflect.get(model, method, model);
            if (typeof f !== "function") return f;
            return (...args: unknown[]) => {
              statements.push(`${prop}.${String(method)} ${JSON.stringify(shape(args))}`);
              return (f as (...a: unknown[]) => unknown).apply(model, args);
            };
          },
        });
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: traced, statements };
}

describe("sharing: reading links and airports out of ONE Record bodies", function () {
  const iris = new OneRecordIris("https://hub.example/");
  const ref = (id: string) => ({ "@id": `https://hub.example/logistics-objects/${id}` });

  it("linksOf finds this hub's references anywhere in a property, once per property", function () {
    const body = {
      objectType: "Shipment",
      pieces: [ref("p1"), ref("p2"), ref("p1")],
      waybill: { ...ref("w1"), "@type": `${CARGO}Waybill` },
      involvedParties: [{ "@type": `${CARGO}Party`, partyDetails: ref("c1") }],
      elsewhere: { "@id": "https://other.example/logistics-objects/x" },
      self: ref("s1"),
      goodsDescription: "https://hub.example/logistics-objects/not-a-node",
    };
    expect(linksOf(body, iris, "s1")).to.deep.equal([
      { toId: "p1", property: "pieces" },
      { toId: "p2", property: "pieces" },
      { toId: "w1", property: "waybill" },
      { toId: "c1", property: "involvedParties" },
    ]);
  });

  it("reads a master waybill's arrival airport in its code forms, and CUSTOMS_AIRPORTS", function () {
    expect(isMasterWaybill({ objectType: "Waybill", waybillType: { "@id": `${CARGO}MASTER` } })).to.equal(true);
    expect(isMasterWaybill({ objectType: "Waybill", waybillType: { "@id": `${CARGO}HOUSE` } })).to.equal(false);
    expect(locationCodesOf({ locationCodes: { code: "hkg" } })).to.deep.equal(["HKG"]);
    expect(locationCodesOf({ locationCodes: [{ code: { "@value": "PVG" } }, { "@id": "https://example/code-lists/Airport#SHA" }] })).to.deep.equal([
      "PVG",
      "SHA",
    ]);
    const parsed = CustomsAirportsSchema.parse("customs-hkg=HKG; customs-pvg=PVG,SHA;customs-b=pvg");
    expect([...parsed]).to.deep.equal([
      ["HKG", ["customs-hkg"]],
      ["PVG", ["customs-pvg", "customs-b"]],
      ["SHA", ["customs-pvg"]],
    ]);
    expect(CustomsAirportsSchema.parse(undefined).size).to.equal(0);
    expect(CustomsAirportsSchema.safeParse("customs=HKGX").success).to.equal(false);
  });
});
