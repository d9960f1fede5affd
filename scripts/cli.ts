// `cargoproof` command line (run as `npm run -s cargoproof -- <command>`): act as a demo
// organisation against the hub, and verify a record bundle against the chain without the hub.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { computeAddress } from "ethers";
import { z } from "zod";
import { auditExport } from "../sdk/audit/audit";
import { fileLines, readHeader, resumePoint, writeExport } from "../sdk/audit/export-file";
import { ExportScopeSchema } from "../sdk/audit/export-format";
import { Progress } from "../sdk/audit/progress";
import { formatReport } from "../sdk/audit/report";
import { OPERATOR_ORG_ID, type OrganizationView } from "../sdk/api";
import { HubClient, HubError } from "../sdk/client";
import { uncompressedPublicKey } from "../sdk/keys";
import { OneRecordClient } from "../sdk/one-record/client";
import type { JsonObject } from "../sdk/one-record/jsonld";
import { AnchorProofSchema, SignedRecordSchema } from "../sdk/envelope";
import { RECORD_TYPES, isRecordType, type RecordType, type RecordBody } from "../sdk/records";
import { redact } from "../sdk/redact";
import { ROLES, RoleSchema, type Role } from "../sdk/roles";
import { revokeRecord } from "../sdk/revocation";
import { relayRevocation, signRevocation } from "../sdk/relay";
import { openRpc, verdictLines, verifyRecord } from "../sdk/verify";
import { newKeyFile, parsePrivateKey, readKeyFile } from "./key-file";
import { HUB_URL, RPC_PORT, loadDeployment, loadHubKeys, loadOrgKey } from "./local-data";

const USAGE = `usage: cargoproof <command> [options]
  publish --as ORG --type TYPE --file BODY.json [--id ID --version N]   sign and publish a record version
  grant   --as ORG ID GRANTEE [--expires ISO-TIME]                       let GRANTEE read record ID
  get     --as ORG ID [--version N]                                      read a record (as ORG)
  credentials --as ORG OTHER                                             OTHER's credentials on chain, with their history
  bundle  --as ORG ID [--version N] --out FILE                           record + proof, once anchored
  verify  FILE [--rpc URL] [--participant-registry ADDR --anchor-registry ADDR] [--hide f1,f2] [--as-of DATE] [--complete] [--from-block N] [--json OUT]
                                                                         verify a bundle against the chain alone
  create-object --as ORG --file OBJECT.jsonld                            create a ONE Record logistics object, signed by ORG
  object  --as ORG IRI|ID [--at ISO-TIME] [--embedded]                   read a ONE Record logistics object (as ORG)
  revoke  --as ORG ID [--version N] --reason TEXT [--rpc URL] [--anchor-registry ADDR] [--relay]
                                                                         revoke your record on chain, with your key
                                                                         (signed for the hub to send and pay: with --relay,
                                                                         or when your key cannot pay the gas)
  export  --as ORG [--scope all|own] --out FILE [--resume]               download the audit export (JSON Lines)
  audit   --file FILE [--rpc URL] [--participant-registry ADDR --anchor-registry ADDR]
          [--from-block N] [--max-anchor-lag SECONDS] [--json REPORT.json]
                                                                         audit an export against the chain alone
                                                                         (exit 0 clean, 1 findings, 2 usage or I/O error)
operator of the hub (as organisation ${OPERATOR_ORG_ID}, key from --key FILE, else OPERATOR_PRIVATE_KEY, else the local hub's):
  org add ID --name NAME --roles ROLE,... --public-key 0x04...         admit an organisation (on chain, then in the hub)
  org list                                                             every organisation: id, status, roles, signer, name
  org suspend ID | org reinstate ID                                    suspend an organisation (its tokens stop working) or lift it
  org rotate-key ID --public-key 0x04...                               give an organisation a new signing key
  keys new --out FILE                                                  a new private key file (mode 0600, never overwritten);
                                                                       prints its address and the public key to give the operator
options: --hub URL (default ${HUB_URL}); roles: ${ROLES.join(", ")}; record types: ${Object.keys(RECORD_TYPES).join(", ")}`;

const BundleSchema = z.object({ record: SignedRecordSchema, proof: AnchorProofSchema });

function client(as: string | undefined, hub: string): HubClient {
  if (!as) throw new Error("--as ORG is required");
  return new HubClient({ baseUrl: hub, orgId: as, privateKey: loadOrgKey(as).privateKey });
}

function oneRecord(as: string | undefined, hub: string): OneRecordClient {
  const hubClient = client(as, hub);
  return new OneRecordClient({ hub: hubClient, orgId: as!, privateKey: loadOrgKey(as!).privateKey });
}

const versionOf = (v: string | undefined) => (v === undefined ? undefined : Number(v));

/** A non-negative integer option, or undefined when absent; anything else is a usage error. */
function count(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new Error(`--${name} must be a non-negative integer, got ${v}`);
  return Number(v);
}

/** The hub operator's client: its key from --key FILE, else OPERATOR_PRIVATE_KEY (the hub's own setting), else the local hub's. */
function operatorClient(keyFile: string | undefined, hub: string): HubClient {
  const fromEnv = process.env.OPERATOR_PRIVATE_KEY;
  const key = keyFile
    ? readKeyFile(keyFile)
    : fromEnv
      ? parsePrivateKey(fromEnv, "OPERATOR_PRIVATE_KEY")
      : (() => {
          const local = loadHubKeys();
          if (!local) throw new Error("the operator's key is needed: --key FILE, or OPERATOR_PRIVATE_KEY in the environment (no local hub found)");
          return parsePrivateKey(local.operatorPrivateKey, "the local hub's operator key");
        })();
  return new HubClient({ baseUrl: hub, orgId: OPERATOR_ORG_ID, privateKey: key.privateKey });
}

/** --public-key as the uncompressed 0x04 form, or a usage error. */
function publicKeyOption(v: string | undefined, command: string): string {
  if (!v) throw new Error(`${command} needs --public-key 0x04... (the organisation's public key: \`cargoproof keys new\` prints it)`);
  try {
    return uncompressedPublicKey(v);
  } catch {
    throw new Error(`--public-key is not a secp256k1 public key: ${v}`);
  }
}

function rolesOption(v: string | undefined): Role[] {
  if (!v) throw new Error(`org add needs --roles ROLE,... (of ${ROLES.join(", ")})`);
  return v.split(",").map((r) => {
    const role = RoleSchema.safeParse(r.trim().toUpperCase());
    if (!role.success) throw new Error(`--roles: ${r} is not a role (roles: ${ROLES.join(", ")})`);
    return role.data;
  });
}

const orgLine = (o: OrganizationView) => `${o.id.padEnd(24)} ${o.status.padEnd(9)} ${o.roles.join(",").padEnd(24)} ${o.signerAddress}  ${o.name}`;

/** `org ...`: the operator's management of organisations, through the hub's /v1/orgs routes. */
async function orgCommand(args: string[], values: { name?: string; roles?: string; "public-key"?: string; key?: string }, hub: string): Promise<number> {
  const [action, id] = args;
  const needId = () => {
    if (!id) throw new Error(`org ${action} needs an organisation id`);
    return id;
  };
  // The hub answers an unknown organisation with a plain 404: say which one.
  const known = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      throw err instanceof HubError && err.status === 404 ? new Error(`no organisation ${id} on this hub (${err.message})`) : err;
    });
  switch (action) {
    case "add": {
      const orgId = needId();
      if (!values.name) throw new Error("org add needs --name NAME");
      const org = { id: orgId, name: values.name, roles: rolesOption(values.roles), publicKey: publicKeyOption(values["public-key"], "org add") };
      console.log(JSON.stringify(await operatorClient(values.key, hub).admitOrganization(org), null, 2));
      return 0;
    }
    case "list":
      for await (const o of operatorClient(values.key, hub).organizations()) console.log(orgLine(o));
      return 0;
    case "suspend":
    case "reinstate": {
      const c = operatorClient(values.key, hub);
      const org = await known(action === "suspend" ? c.suspend(needId()) : c.reinstate(needId()));
      console.log(JSON.stringify(org, null, 2));
      return 0;
    }
    case "rotate-key": {
      const orgId = needId();
      const publicKey = publicKeyOption(values["public-key"], "org rotate-key");
      console.log(JSON.stringify(await known(operatorClient(values.key, hub).rotateKey(orgId, publicKey)), null, 2));
      return 0;
    }
    default:
      throw new Error(`org needs one of add, list, suspend, reinstate, rotate-key${action ? ` (not ${action})` : ""}`);
  }
}

/** `keys new`: the same key files as `admin keygen` (scripts/key-file.ts). */
function keysCommand(action: string | undefined, out: string | undefined): number {
  if (action !== "new") throw new Error(`keys needs new${action ? ` (not ${action})` : ""}`);
  if (!out) throw new Error("keys new needs --out FILE");
  const key = newKeyFile(out);
  console.log(`wrote ${out} (readable by you only; keep it, it is not stored anywhere else)`);
  console.log(`address:    ${key.address}`);
  console.log(`public key: ${key.publicKey}`);
  return 0;
}

/** Gas a revocation needs at most (measured ~64,000 with a short reason; a 500-character reason adds ~12,000). */
const REVOKE_GAS_BOUND = 120_000n;

/** Whether `address` holds enough to pay for a revocation at the chain's current fees. */
async function canPayRevocation(rpcUrl: string, address: string): Promise<boolean> {
  const provider = await openRpc(rpcUrl, 5_000);
  try {
    const [balance, fees] = await Promise.all([provider.getBalance(address), provider.getFeeData()]);
    return balance >= REVOKE_GAS_BOUND * (fees.maxFeePerGas ?? fees.gasPrice ?? 0n);
  } finally {
    provider.destroy();
  }
}

/** `export`: streams the hub's audit export into a file, resumable, with progress on stderr. */
async function exportCommand(c: HubClient, opts: { scope: string; out: string; resume: boolean }): Promise<number> {
  const scope = ExportScopeSchema.safeParse(opts.scope);
  if (!scope.success) throw new Error(`--scope must be all or own, got ${opts.scope}`);
  let resume;
  if (opts.resume && existsSync(opts.out)) {
    resume = await resumePoint(opts.out);
    if (resume.complete) {
      console.log(`${opts.out} is already a complete export (${resume.counts.records} records)`);
      return 0;
    }
    if (resume.header && resume.header.scope !== scope.data) throw new Error(`${opts.out} is an export of scope ${resume.header.scope}, not ${scope.data}`);
    console.error(
      `resuming ${opts.out} after ${resume.counts.records} records, ${resume.counts.batches} batches, ${resume.counts.access} access lines` +
        (resume.droppedBytes > 0 ? ` (dropped a partial last line of ${resume.droppedBytes} bytes)` : ""),
    );
  }
  const progress = new Progress("export", process.stderr);
  const { counts, complete } = await writeExport(c.exportLines({ scope: scope.data, after: resume?.after }), opts.out, {
    resume,
    onLine: (n, expected) => progress.update(n.records, expected?.records),
  });
  progress.finish(counts.records);
  if (!complete) throw new Error(`the export stream ended before its end line: run the same command with --resume`);
  console.log(`wrote ${opts.out}: ${counts.batches} batches, ${counts.records} records, ${counts.access} access-log entries`);
  return 0;
}

/** `audit`: audits an export file against the chain alone; the hub is not needed. */
async function auditCommand(values: Record<string, string | boolean | undefined>): Promise<number> {
  const file = values.file as string | undefined;
  if (!file) throw new Error("audit needs --file FILE (an export written by `cargoproof export`)");
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  const header = readHeader(file);
  const given = { participantRegistry: values["participant-registry"] as string | undefined, anchorRegistry: values["anchor-registry"] as string | undefined };
  if ((given.participantRegistry === undefined) !== (given.anchorRegistry === undefined))
    throw new Error("give both --participant-registry and --anchor-registry, or neither");
  const local = given.anchorRegistry ? undefined : loadDeployment();
  let contracts: { participantRegistry: string; anchorRegistry: string };
  if (given.anchorRegistry) contracts = given as typeof contracts;
  else if (local) contracts = { participantRegistry: local.participantRegistry, anchorRegistry: local.anchorRegistry };
  else {
    contracts = { participantRegistry: header.participantRegistry, anchorRegistry: header.anchorRegistry };
    console.error("note: registry addresses taken from the export's header; pass --participant-registry and --anchor-registry from a source you trust");
  }
  const fromBlock = count("from-block", values["from-block"] as string | undefined) ?? local?.deployedAtBlock ?? 0;
  const maxAnchorLagS = count("max-anchor-lag", values["max-anchor-lag"] as string | undefined);
  const rpc = (values.rpc as string | undefined) ?? `http://127.0.0.1:${RPC_PORT}`;
  const provider = await openRpc(rpc).catch((err: unknown) => {
    throw new Error(`cannot reach the chain at ${rpc}: ${(err as Error).message}`);
  });
  const progress = new Progress("audit", process.stderr);
  try {
    const report = await auditExport(fileLines(file), {
      provider,
      contracts,
      fromBlock,
      ...(maxAnchorLagS !== undefined ? { maxAnchorLagS } : {}),
      onProgress: (p) => progress.update(p.records, header.expected.records),
    });
    progress.finish(report.summary.counts.records, header.expected.records);
    if (values.json) writeFileSync(values.json as string, JSON.stringify(report, null, 2) + "\n");
    process.stdout.write(formatReport(report));
    if (values.json) console.log(`JSON report: ${values.json as string}`);
    return report.clean ? 0 : 1;
  } finally {
    progress.interrupt();
    provider.destroy();
  }
}

export async function main(argv: string[]): Promise<number> {
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
      scope: { type: "string" },
      resume: { type: "boolean" },
      "from-block": { type: "string" },
      "max-anchor-lag": { type: "string" },
      json: { type: "string" },
      reason: { type: "string" },
      at: { type: "string" },
      "as-of": { type: "string" },
      complete: { type: "boolean" },
      embedded: { type: "boolean" },
      relay: { type: "boolean" },
      name: { type: "string" },
      roles: { type: "string" },
      "public-key": { type: "string" },
      key: { type: "string" },
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
    case "credentials": {
      if (!args[0]) throw new Error("credentials needs an organisation id");
      for (const c of await client(values.as, hub).credentials(args[0]))
        console.log(
          `${c.id.padStart(4)}  ${c.inForce ? "in force" : "        "}  ${c.kind.padEnd(20)} ${JSON.stringify(c.scope ?? {})}  by ${c.issuer ?? "the consortium operator"}, ` +
            `valid ${c.validFrom}${c.validUntil ? ` to ${c.validUntil}` : ""}${c.revokedAt ? `, revoked ${c.revokedAt}` : ""}`,
        );
      return 0;
    }
    case "get": {
      if (!args[0]) throw new Error("get needs a record id");
      console.log(JSON.stringify(await client(values.as, hub).getRecord(args[0], versionOf(values.version)), null, 2));
      return 0;
    }
    case "create-object": {
      if (!values.file) throw new Error("create-object needs --file OBJECT.jsonld (a ONE Record object in JSON-LD)");
      const created = await oneRecord(values.as, hub).createObject(JSON.parse(readFileSync(values.file, "utf8")) as JsonObject);
      console.log(JSON.stringify({ iri: created.iri, id: created.id, revision: created.record.version, digest: created.record.digest }, null, 2));
      return 0;
    }
    case "object": {
      if (!args[0]) throw new Error("object needs an object IRI or record id");
      const at = values.at === undefined ? undefined : new Date(values.at);
      if (at && Number.isNaN(at.getTime())) throw new Error(`--at must be an ISO 8601 date-time, got ${values.at}`);
      const read = await oneRecord(values.as, hub).getObject(args[0], { at, embedded: values.embedded === true });
      console.log(`# ${read.type}, revision ${read.revision} of ${read.latestRevision}, last modified ${read.lastModified}`);
      console.log(JSON.stringify(read.object, null, 2));
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
      const fromBlock = count("from-block", values["from-block"]) ?? (local?.anchorRegistry === anchorRegistry ? local.deployedAtBlock : undefined);
      const asOf = values["as-of"] === undefined ? undefined : new Date(values["as-of"]);
      if (asOf && Number.isNaN(asOf.getTime())) throw new Error(`--as-of must be an ISO 8601 date or date-time, got ${values["as-of"]}`);
      const verdict = await verifyRecord({
        record,
        proof: bundle.proof,
        chain: { rpcUrl: values.rpc ?? `http://127.0.0.1:${RPC_PORT}` },
        contracts: { participantRegistry, anchorRegistry },
        ...(asOf ? { asOf } : {}),
        // The first block to search: given, or the local deployment's when these are its registries (else the verifier finds it).
        ...(fromBlock !== undefined ? { fromBlock } : {}),
        ...(values.complete ? { completeness: fromBlock !== undefined ? { fromBlock } : true } : {}),
      });
      if (values.json) writeFileSync(values.json, JSON.stringify(verdict, null, 2) + "\n");
      else console.log(JSON.stringify(verdict, null, 2));
      for (const l of verdictLines(verdict)) console.log(l);
      // A chain that cannot be read says nothing about the record: not INVALID, and the exit code of a failure to run.
      if (verdict.chainUnavailable) {
        console.log(`UNKNOWN: the chain could not be read (${verdict.chainUnavailable.reason}); try again`);
        return 2;
      }
      console.log(verdict.valid ? `VALID${asOf ? ` as of ${asOf.toISOString()}` : ""}` : `INVALID${asOf ? ` as of ${asOf.toISOString()}` : ""}`);
      return verdict.valid ? 0 : 1;
    }
    case "revoke": {
      if (!args[0] || !values.reason) throw new Error("revoke needs a record id and --reason TEXT");
      if (!values.as) throw new Error("--as ORG is required: a record is revoked by its publisher's key");
      const anchorRegistry = values["anchor-registry"] ?? loadDeployment()?.anchorRegistry;
      if (!anchorRegistry) throw new Error("give --anchor-registry (no local deployment found)");
      const stored = await client(values.as, hub).getRecord(args[0], versionOf(values.version));
      if (stored.record.owner !== values.as) throw new Error(`record ${args[0]} is ${stored.record.owner}'s: only its publisher can revoke it`);
      const revocation = {
        privateKey: loadOrgKey(values.as).privateKey,
        chain: { rpcUrl: values.rpc ?? `http://127.0.0.1:${RPC_PORT}` },
        anchorRegistry,
        digest: stored.record.digest,
        reason: values.reason,
      };
      const relayed = values.relay === true || !(await canPayRevocation(revocation.chain.rpcUrl, computeAddress(revocation.privateKey)));
      const { txHash, blockNumber } = relayed
        ? await relayRevocation(client(values.as, hub), await signRevocation(revocation))
        : await revokeRecord(revocation);
      console.log(
        `revoked ${stored.record.type} ${stored.record.id} v${stored.record.version} (digest ${stored.record.digest}) in block ${blockNumber}, tx ${txHash}` +
          (relayed ? " (signed by you, sent and paid for by the hub)" : ""),
      );
      return 0;
    }
    case "export": {
      if (!values.out) throw new Error("export needs --out FILE");
      return exportCommand(client(values.as, hub), { scope: values.scope ?? "all", out: values.out, resume: values.resume === true });
    }
    case "audit":
      return auditCommand(values);
    case "org":
      return orgCommand(args, values, hub);
    case "keys":
      return keysCommand(args[0], values.out);
    default:
      console.log(USAGE);
      return command === undefined || values.help ? 0 : 2;
  }
}

/** What went wrong, on one line: the hub's problem (title, detail, which fields), or the CLI's own message; never a stack. */
function errorLine(err: unknown): string {
  if (err instanceof HubError)
    return `hub: ${err.message}${err.problem.errors ? ` (${err.problem.errors.map((e) => `${e.path}: ${e.message}`).join("; ")})` : ""}`;
  if (err instanceof z.ZodError) return `cargoproof: unexpected content: ${err.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  // fetch's own "fetch failed" says nothing: name the reason the connection failed.
  if (err instanceof TypeError && err.message === "fetch failed")
    return `cargoproof: cannot reach the hub (${cause?.code ?? cause?.message ?? "network error"})`;
  if (err instanceof Error) return `cargoproof: ${err.message.split("\n")[0]}`;
  return `cargoproof: ${String(err)}`;
}

// Run as a command; imported (by tests), only `main` is exported.
if (require.main === module) {
  // A command whose work stalls with nothing left to wait for would otherwise exit 0, as if it succeeded.
  process.on("beforeExit", () => {
    console.error("cargoproof: the command stopped before finishing (internal error)");
    process.exit(2);
  });
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(errorLine(err));
      process.exit(err instanceof HubError && err.status < 500 ? 1 : 2);
    },
  );
}
