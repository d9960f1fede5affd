import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { admit, freshDatabase, hubEnv, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "../integration/harness";
import { raw } from "../integration/raw-http";
import { withoutNetwork } from "./no-network";

const ROOT = join(__dirname, "..", "..");
const BIN = (name: string) => join(ROOT, "node_modules", ".bin", name);

/**
 * A small integrator's program: it publishes an Order with fields typed by the client generated from
 * the live /openapi.json (openapi-typescript's `paths` and `components`), over plain fetch; only the
 * envelope's salts, digest and signature come from the SDK. `totalLine` is the line that sets `total`
 * (the broken variant puts a string there).
 */
function program(totalLine: string): string {
  const sdk = (module: string) => JSON.stringify(join(ROOT, "sdk", module));
  return `import type { components, paths } from "./api";
import { prepareRecord } from ${sdk("digest")};
import { signRecord } from ${sdk("signature")};

type OrderBody = components["schemas"]["OrderBody"];
type PublishRequest = paths["/v1/records"]["post"]["requestBody"]["content"]["application/json"];
type Published = paths["/v1/records"]["post"]["responses"][201]["content"]["application/json"];
type Stored = paths["/v1/records/{id}"]["get"]["responses"][200]["content"]["application/json"];

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(name + " is not set");
  return value;
};
const hub = env("HUB_URL");
const owner = env("ORG_ID");
const headers = { authorization: "Bearer " + env("TOKEN"), "content-type": "application/json" };

const order: OrderBody = {
  orderNumber: "SO-GEN-0001",
  supervisionMode: "1210",
  direction: "IMPORT",
  customsOffice: env("CUSTOMS_OFFICE"),
  port: "CNHGH",
  destinationCountry: "CN",
  orderedAt: "2026-11-11T00:05:00+08:00",
  buyer: { name: "Zhang San", idType: "ID_CARD", idNumber: "11010519491231002X" },
  consignee: { name: "Zhang San", address: "No. 18 Wensan Road, Xihu District, Hangzhou", country: "CN" },
  lines: [{ lineNo: 1, hsCode: "3304990099", description: "Face cream 50 ml", quantity: 2, unit: "PCE", unitPrice: 199, value: 398, originCountry: "FR" }],
  currency: "CNY",
  goodsValue: 398,
  freight: 20,
  insurance: 0,
  discount: 0,
  tax: 0,
${totalLine}
};

async function main(): Promise<void> {
  const signed = signRecord(env("PRIVATE_KEY"), prepareRecord({ type: "Order", id: env("RECORD_ID"), version: 1, owner }, order));
  const request: PublishRequest = { ...signed, type: "Order", body: order };
  const res = await fetch(hub + "/v1/records", { method: "POST", headers, body: JSON.stringify(request) });
  if (res.status !== 201) throw new Error("publish answered " + res.status + ": " + (await res.text()));
  const published = (await res.json()) as Published;
  const read = await fetch(hub + "/v1/records/" + encodeURIComponent(published.id), { headers });
  const stored = (await read.json()) as Stored;
  if (stored.record.type !== "Order") throw new Error("not an Order: " + stored.record.type);
  // Narrowed by the discriminator: the body is an Order's.
  const total: number | undefined = stored.record.body.total;
  console.log(JSON.stringify({ published, readStatus: read.status, orderNumber: stored.record.body.orderNumber, total, anchor: stored.anchor.status }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
`;
}

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "commonjs",
    moduleResolution: "node",
    lib: ["ES2022", "DOM"],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
    typeRoots: [join(ROOT, "node_modules", "@types")],
  },
};

/**
 * Runs a command to its end, bounded in time. Not spawnSync: the hub under test is a child of this
 * process writing to a pipe, and a blocked event loop would stall it once that pipe is full.
 */
function run(
  command: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Type-checks one program of the folder with tsc (its own tsconfig, strict); the diagnostics. */
async function typeCheck(dir: string, file: string): Promise<{ status: number | null; output: string }> {
  writeFileSync(join(dir, `tsconfig.${file}.json`), JSON.stringify({ ...TSCONFIG, files: [file] }));
  const tsc = await run(BIN("tsc"), ["-p", join(dir, `tsconfig.${file}.json`), "--pretty", "false"], { cwd: dir, timeoutMs: 150_000 });
  return { status: tsc.status, output: `${tsc.stdout}${tsc.stderr}` };
}

describe("OpenAPI: a client generated from the live /openapi.json publishes a typed Order", function () {
  this.timeout(300_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let platform: TestOrg;
  let dir: string;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    [platform] = await Promise.all([admit(hub.url, "shop-global", ["PLATFORM"]), admit(hub.url, "hz-customs", ["CUSTOMS"])]);
    dir = mkdtempSync(join(tmpdir(), "cargoproof-client-"));
  });

  after(async function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("generates the client with openapi-typescript, type-checks the program, and the program's Order is published and readable", async function () {
    const res = await fetch(`${hub.url}/openapi.json`);
    expect(res.status).to.equal(200);
    writeFileSync(join(dir, "openapi.json"), await res.text());

    // The generator reads the file: it needs no network.
    const guard = withoutNetwork(dir);
    const generate = await run(BIN("openapi-typescript"), [join(dir, "openapi.json"), "-o", join(dir, "api.d.ts")], {
      cwd: dir,
      env: guard.env,
      timeoutMs: 120_000,
    });
    expect(generate.status, `${generate.stdout}${generate.stderr}`).to.equal(0);
    expect(guard.attempts(), "connections openapi-typescript tried").to.equal("");
    const types = readFileSync(join(dir, "api.d.ts"), "utf8");
    expect(types).to.include("OrderBody: {").and.include("SignedOrder: {");

    writeFileSync(join(dir, "publish-order.ts"), program("  total: 418,"));
    const good = await typeCheck(dir, "publish-order.ts");
    expect(good.output, "tsc on the program").to.equal("");
    expect(good.status).to.equal(0);

    const token = await platform.client.accessToken();
    const publish = await run(BIN("tsx"), [join(dir, "publish-order.ts")], {
      cwd: dir,
      timeoutMs: 90_000,
      env: {
        ...process.env,
        HUB_URL: hub.url,
        ORG_ID: platform.id,
        PRIVATE_KEY: platform.key.privateKey,
        TOKEN: token,
        RECORD_ID: "shop-global:order-gen-0001",
        CUSTOMS_OFFICE: "hz-customs",
      },
    });
    expect(publish.status, `${publish.stdout}${publish.stderr}`).to.equal(0);
    const out = JSON.parse(publish.stdout.trim().split("\n").pop()!) as {
      published: { id: string; version: number; status: string };
      readStatus: number;
      orderNumber: string;
      total: number;
    };
    expect(out.published).to.include({ id: "shop-global:order-gen-0001", version: 1, status: "PENDING" });
    expect(out).to.include({ readStatus: 200, orderNumber: "SO-GEN-0001", total: 418 });

    // The hub holds what the program sent, read back through the SDK.
    const stored = await platform.client.getRecord("shop-global:order-gen-0001");
    expect(stored.record.type).to.equal("Order");
    expect(stored.record.body).to.include({ orderNumber: "SO-GEN-0001", total: 418, currency: "CNY" });
  });

  it("the type-check refuses a field of the wrong type (total as a string)", async function () {
    writeFileSync(join(dir, "publish-order-broken.ts"), program('  total: "418",'));
    const broken = await typeCheck(dir, "publish-order-broken.ts");
    expect(broken.status).to.not.equal(0);
    expect(broken.output).to.match(/publish-order-broken\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
  });

  it("a GET whose body is malformed JSON is a documented 400 (the shared body parsers run before every route)", async function () {
    const doc = (await (await fetch(`${hub.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    };
    expect(doc.paths["/health"]!.get!.responses["400"]!.description).to.include("malformed-json");
    const res = await raw(hub.url, "GET", "/health", { headers: { "content-type": "application/json" }, body: "{" });
    expect(res.status).to.equal(400);
    expect(res.json().type).to.equal("https://cargoproof.dev/problems/malformed-json");
  });
});
