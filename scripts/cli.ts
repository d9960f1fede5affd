// `cargoproof` command line (run as `npm run -s cargoproof -- <command>`): act as a demo
// organisation against the hub, and verify a record bundle against the chain without the hub.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { HubClient, HubError } from "../sdk/client";
import { AnchorProofSchema, SignedRecordSchema } from "../sdk/envelope";
import { RECORD_TYPES, isRecordType, type RecordType, type RecordBody } from "../sdk/records";
import { redact } from "../sdk/redact";
import { verifyRecord } from "../sdk/verify";
import { HUB_URL, RPC_PORT, loadDeployment, loadOrgKey } from "./local-data";

const USAGE = `usage: cargoproof <command> [options]
  publish --as ORG --type TYPE --file BODY.json [--id ID --version N]   sign and publish a record version
  grant   --as ORG ID GRANTEE [--expires ISO-TIME]                       let GRANTEE read record ID
  get     --as ORG ID [--version N]                                      read a record (as ORG)
  bundle  --as ORG ID [--version N] --out FILE                           record + proof, once anchored
  verify  FILE [--rpc URL] [--participant-registry ADDR --anchor-registry ADDR] [--hide f1,f2]
                                                                         verify a bundle against the chain alone
options: --hub URL (default ${HUB_URL}); record types: ${Object.keys(RECORD_TYPES).join(", ")}`;

const BundleSchema = z.object({ record: SignedRecordSchema, proof: AnchorProofSchema });

function client(as: string | undefined, hub: string): HubClient {
  if (!as) throw new Error("--as ORG is required");
  return new HubClient({ baseUrl: hub, orgId: as, privateKey: loadOrgKey(as).privateKey });
}

const versionOf = (v: string | undefined) => (v === undefined ? undefined : Number(v));

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      as: { type: "string" },
      type: { type: "string" },
      file: { type: "string" },
      id: { type: "string" },
      version: { type: "string" },
      expires: { type: "string" },
      out: { type: "string" },
      hub: { type: "string", default: HUB_URL },
      rpc: { type: "string" },
      "participant-registry": { type: "string" },
      "anchor-registry": { type: "string" },
      hide: { type: "string" },
      help: { type: "boolean" },
    },
  });
  const [command, ...args] = positionals;
  const hub = values.hub!;
  switch (command) {
    case "publish": {
      const type = values.type ?? "";
      if (!isRecordType(type)) throw new Error(`--type must be one of ${Object.keys(RECORD_TYPES).join(", ")}`);
      if (!values.file) throw new Error("--file BODY.json is required");
      const body = JSON.parse(readFileSync(values.file, "utf8")) as RecordBody<RecordType>;
      const { published } = await client(values.as, hub).publish(type, body, { id: values.id, version: versionOf(values.version) });
      console.log(JSON.stringify(published, null, 2));
      return 0;
    }
    case "grant": {
      const [id, grantee] = args;
      if (!id || !grantee) throw new Error("grant needs a record id and a grantee organisation");
      const grant = await client(values.as, hub).grant(id, grantee, values.expires ? new Date(values.expires) : undefined);
      console.log(JSON.stringify(grant, null, 2));
      return 0;
    }
    case "get": {
      if (!args[0]) throw new Error("get needs a record id");
      console.log(JSON.stringify(await client(values.as, hub).getRecord(args[0], versionOf(values.version)), null, 2));
      return 0;
    }
    case "bundle": {
      if (!args[0] || !values.out) throw new Error("bundle needs a record id and --out FILE");
      const c = client(values.as, hub);
      const stored = await c.getRecord(args[0], versionOf(values.version));
      const proof = await c.waitForProof(args[0], stored.record.version);
      writeFileSync(values.out, JSON.stringify({ record: stored.record, proof }, null, 2));
      console.log(`wrote ${values.out}: ${stored.record.type} ${stored.record.id} v${stored.record.version} with its proof`);
      return 0;
    }
    case "verify": {
      if (!args[0]) throw new Error("verify needs a bundle file");
      const bundle = BundleSchema.parse(JSON.parse(readFileSync(args[0], "utf8")));
      const local = loadDeployment();
      const participantRegistry = values["participant-registry"] ?? local?.participantRegistry;
      const anchorRegistry = values["anchor-registry"] ?? local?.anchorRegistry;
      if (!participantRegistry || !anchorRegistry) throw new Error("give --participant-registry and --anchor-registry (no local deployment found)");
      const record = values.hide ? redact(bundle.record, values.hide.split(",")) : bundle.record;
      const verdict = await verifyRecord({
        record,
        proof: bundle.proof,
        chain: { rpcUrl: values.rpc ?? `http://127.0.0.1:${RPC_PORT}` },
        contracts: { participantRegistry, anchorRegistry },
      });
      console.log(JSON.stringify(verdict, null, 2));
      console.log(verdict.valid ? "VALID" : "INVALID");
      return verdict.valid ? 0 : 1;
    }
    default:
      console.log(USAGE);
      return command === undefined || values.help ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof HubError) console.error(`hub: ${err.message}${err.problem.errors ? "\n" + JSON.stringify(err.problem.errors, null, 2) : ""}`);
    else console.error(`cargoproof: ${(err as Error).message}`);
    process.exit(err instanceof HubError && err.status < 500 ? 1 : 2);
  },
);
