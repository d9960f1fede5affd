// `npm start`: a local chain, the contracts, the hub on http://127.0.0.1:8080 with demo
// organisations, and a walk-through. Data lives in .data/ (git-ignored) and survives restarts;
// `npm start -- --reset` starts from scratch.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { ContractFactory, JsonRpcProvider, Wallet, parseEther } from "ethers";
import type { CredentialGrantInput } from "../sdk/api";
import { z } from "zod";
import { startLocalChain } from "./local-chain";
import { artifact, deployContracts } from "./contracts";
import { devAccountKey } from "./dev-accounts";
import {
  DATA_DIR,
  HUB_URL,
  RPC_PORT,
  createHubKeys,
  deploymentFile,
  hubKeysFile,
  keyFile,
  loadDeployment,
  loadHubKeys,
  loadOrgKey,
  orgKeyOf,
  readJson,
  writePrivate,
} from "./local-data";
import { loadConfig } from "../server/config";
import { startHub, OPERATOR_ORG_ID } from "../server/hub";
import { HubClient, HubError } from "../sdk/client";
import { OneRecordClient } from "../sdk/one-record/client";
import type { JsonObject } from "../sdk/one-record/jsonld";
import { verifyRecord } from "../sdk/verify";
import { verifyCustody } from "../sdk/custody";
import { custodyChain, custodyHandovers } from "../sdk/custody-client";
import { checkResolvedProof } from "../sdk/resolve";
import { resolve } from "../sdk/resolve-client";
import { AnchorProofSchema, SignedRecordSchema } from "../sdk/envelope";
import type { Role } from "../sdk/roles";
import { ShipmentBody } from "../sdk/records";
import { publishDemoProduct } from "./demo/product";

// Each demo organisation with the credentials the consortium operator vouches for (docs/authority.md):
// what lets its records be relied on, checked by the hub and by every verifier.
const DEMO_ORGS: { id: string; name: string; roles: Role[]; credentials: CredentialGrantInput[] }[] = [
  { id: "skyline-air", name: "Skyline Air Cargo", roles: ["AIRLINE"], credentials: [{ kind: "AIRLINE", scope: { prefix: "160", designator: "SK" } }] },
  {
    id: "swift-forwarding",
    name: "Swift Forwarding Ltd",
    roles: ["FORWARDER"],
    credentials: [{ kind: "LICENSED_FORWARDER", scope: { countries: ["CN", "HK"] } }],
  },
  {
    id: "customs-hkg",
    name: "Hong Kong Customs",
    roles: ["CUSTOMS"],
    credentials: [{ kind: "CUSTOMS_OFFICE", scope: { office: "HKG-AIR", airports: ["HKG"] } }],
  },
  {
    id: "trust-certify",
    name: "Trust Inspection & Certification",
    roles: ["CERTIFIER"],
    credentials: [{ kind: "ACCREDITED_CERTIFIER", scope: { kinds: ["CERTIFICATE_OF_ORIGIN", "INSPECTION_REPORT", "QUALITY"], countries: ["FR", "CN", "HK"] } }],
  },
  {
    id: "aurora-brand",
    name: "Aurora Audio (brand)",
    roles: ["SHIPPER", "BRAND"],
    credentials: [
      { kind: "GS1_COMPANY_PREFIX", scope: { prefixes: ["950600"] } },
      { kind: "AEO", scope: { country: "FR", tier: "AEOF" } },
    ],
  },
  {
    id: "harbour-mall",
    name: "Harbour Mall (e-commerce platform)",
    roles: ["PLATFORM"],
    credentials: [{ kind: "ECOMMERCE_PLATFORM", scope: { countries: ["CN"] } }],
  },
  { id: "pearl-pay", name: "Pearl Pay (payment firm)", roles: ["PAYMENT"], credentials: [{ kind: "PAYMENT_LICENCE", scope: { countries: ["CN"] } }] },
  { id: "bay-brokers", name: "Bay Customs Brokers", roles: ["BROKER"], credentials: [{ kind: "LICENSED_BROKER", scope: { countries: ["CN"] } }] },
  { id: "audit-board", name: "Consortium Audit Board", roles: ["AUDITOR"], credentials: [] },
];

const BundleSchema = z.object({ record: SignedRecordSchema, proof: AnchorProofSchema });
const rel = (p: string) => relative(process.cwd(), p) || ".";

async function main() {
  if (process.argv.includes("--reset") && existsSync(DATA_DIR)) {
    rmSync(DATA_DIR, { recursive: true, force: true });
    console.log(`reset: removed ${rel(DATA_DIR)}`);
  }
  const firstRun = !existsSync(deploymentFile());

  const chain = await startLocalChain({ dataDir: DATA_DIR, port: RPC_PORT });
  const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  // Local chain only: a development account the hub does not use pays for the hub's keys and gives
  // each demo organisation a little ETH to send its own revocations (`cargoproof revoke`).
  const faucet = new Wallet(devAccountKey(2), provider);
  const fund = async (address: string, amount: bigint) => {
    // Topped up only when low: a restart after an interrupted one pays nobody twice.
    if ((await provider.getBalance(address)) < amount / 10n) await (await faucet.sendTransaction({ to: address, value: amount })).wait();
  };

  let deployment = loadDeployment();
  if (deployment && (await provider.getCode(deployment.anchorRegistry)) === "0x") {
    throw new Error(`${rel(deploymentFile())} names contracts the chain does not have (was the chain journal removed?); run \`npm start -- --reset\``);
  }
  // The hub's operator and anchorer keys: random, generated on first start and kept (0600) before the
  // contracts are deployed with them. A .data/ deployed by an older version with Hardhat's public
  // accounts #0 and #1 keeps working with them (they are in the contracts), with a warning.
  let hubKeys = loadHubKeys();
  const legacyDevKeys = !hubKeys && deployment !== undefined;
  if (legacyDevKeys) {
    if (deployment!.deployer !== new Wallet(devAccountKey(0)).address)
      throw new Error(`${rel(hubKeysFile())} is missing, and ${rel(deploymentFile())} was deployed by another key; run \`npm start -- --reset\``);
    hubKeys = { operatorPrivateKey: devAccountKey(0), anchorerPrivateKey: devAccountKey(1) };
  }
  const devKeysWarning = legacyDevKeys
    ? `  WARNING: this ${rel(DATA_DIR)}/ was deployed by an older version with Hardhat's public development accounts
  #0 and #1 as the hub's operator and anchorer: anyone who can reach the hub can act as its operator.
  \`npm start -- --reset\` starts afresh with random keys (kept in ${rel(hubKeysFile())}).
`
    : "";
  if (devKeysWarning) console.warn(devKeysWarning);
  hubKeys ??= createHubKeys();
  const operatorKey = hubKeys.operatorPrivateKey;
  const anchorerKey = hubKeys.anchorerPrivateKey;
  for (const key of [operatorKey, anchorerKey]) await fund(new Wallet(key).address, parseEther("1000"));

  if (!deployment) {
    deployment = await deployContracts(new Wallet(operatorKey, provider), [new Wallet(anchorerKey).address]);
    writePrivate(deploymentFile(), JSON.stringify(deployment, null, 2));
  }
  if (!deployment.credentialRegistry) {
    // A .data/ from before credentials existed: add the registry to the chain it already has.
    const operatorWallet = new Wallet(operatorKey, provider);
    const c = artifact("CredentialRegistry");
    const registry = await new ContractFactory(c.abi as never, c.bytecode, operatorWallet).deploy(deployment.participantRegistry);
    await registry.deploymentTransaction()!.wait();
    const p = artifact("ParticipantRegistry");
    const participants = new ContractFactory(p.abi as never, p.bytecode, operatorWallet).attach(deployment.participantRegistry);
    await ((await participants.getFunction("setCredentialRegistry")(await registry.getAddress())) as { wait(): Promise<unknown> }).wait();
    deployment = { ...deployment, credentialRegistry: await registry.getAddress() };
    writePrivate(deploymentFile(), JSON.stringify(deployment, null, 2));
  }

  const secretsFile = join(DATA_DIR, "secrets.json");
  // Generated once, kept in .data/ (git-ignored, mode 0600); a secret added by a later version is generated then.
  const newSecret = () => randomBytes(32).toString("hex");
  const secrets = z
    .object({
      tokenSecret: z.string().default(newSecret),
      matchKey: z.string().default(newSecret),
      metricsToken: z.string().default(newSecret),
      scanPlaceKey: z.string().default(newSecret),
    })
    .parse(readJson(secretsFile, z.record(z.string(), z.string())) ?? {});
  writePrivate(secretsFile, JSON.stringify(secrets));

  const config = loadConfig({
    ...process.env,
    HOST: process.env.HOST ?? "127.0.0.1",
    PORT: process.env.PORT ?? new URL(HUB_URL).port,
    DATABASE_URL: process.env.DATABASE_URL ?? `file:${join(DATA_DIR, "hub.db")}`,
    RPC_URL: chain.rpcUrl,
    PARTICIPANT_REGISTRY: deployment.participantRegistry,
    ANCHOR_REGISTRY: deployment.anchorRegistry,
    CREDENTIAL_REGISTRY: deployment.credentialRegistry,
    CONTRACTS_FROM_BLOCK: String(deployment.deployedAtBlock),
    OPERATOR_PRIVATE_KEY: operatorKey,
    ANCHORER_PRIVATE_KEY: anchorerKey,
    TOKEN_SECRET: secrets.tokenSecret,
    CUSTOMS_MATCH_KEY: secrets.matchKey,
    METRICS_TOKEN: secrets.metricsToken,
    SCAN_PLACE_KEY: secrets.scanPlaceKey,
    ANCHOR_MAX_AGE_MS: process.env.ANCHOR_MAX_AGE_MS ?? "1000",
    ...(legacyDevKeys ? { ALLOW_DEV_KEYS: "true" } : {}),
  });
  const hub = await startHub(config, () => undefined);

  const operator = new HubClient({ baseUrl: hub.url, orgId: OPERATOR_ORG_ID, privateKey: operatorKey });
  // Each step may have been cut short by an interrupted start, and is finished here: the key is on
  // disk before its organisation is admitted (the hub's admission finishes one that reached only the
  // chain), funding tops up, and credentials missing (an older version, or an interruption) are issued.
  for (const org of DEMO_ORGS) {
    const key = orgKeyOf(org.id);
    const admitted = await operator.getOrganization(org.id).catch((err: unknown) => {
      if (err instanceof HubError && err.status === 404) return undefined;
      throw err;
    });
    if (!admitted) await operator.admitOrganization({ ...org, publicKey: key.publicKey });
    else if (admitted.publicKey.toLowerCase() !== key.publicKey.toLowerCase())
      throw new Error(`organisation ${org.id} is admitted with a key other than ${rel(keyFile(org.id))}; run \`npm start -- --reset\``);
    await fund(key.address, parseEther("1"));
    // Any credential of the kind, even one revoked since: a revocation is the operator's to undo.
    const held = new Set((await operator.credentials(org.id)).map((c) => c.kind));
    for (const grant of org.credentials) if (!held.has(grant.kind)) await operator.issueCredential(org.id, grant);
  }
  const as = (orgId: string) => new HubClient({ baseUrl: hub.url, orgId, privateKey: loadOrgKey(orgId).privateKey });

  const contracts = { participantRegistry: deployment.participantRegistry, anchorRegistry: deployment.anchorRegistry };
  const lines: string[] = [];
  const firstBundleFile = join(DATA_DIR, "first-record.bundle.json");
  const earlier = readJson(firstBundleFile, BundleSchema);
  if (earlier) {
    const verdict = await verifyRecord({ record: earlier.record, proof: earlier.proof, chain: { provider }, contracts });
    lines.push(
      `  Restart check: the first record published here (${earlier.record.id}) still verifies against the`,
      `  replayed chain: ${verdict.valid ? "VALID" : "INVALID " + JSON.stringify(verdict)}`,
      "",
    );
  }

  // The walk-through, run for real: publish as the forwarder, share with the airline, read as the
  // airline, wait for the anchor, verify against the chain.
  const forwarder = as("swift-forwarding");
  const airline = as("skyline-air");
  // The same shipment the printed commands publish.
  const demoShipment = ShipmentBody.parse(JSON.parse(readFileSync(join(__dirname, "demo", "shipment.json"), "utf8")));
  const { record } = await forwarder.publish("Shipment", demoShipment);
  await forwarder.grant(record.id, "skyline-air");
  const read = await airline.getRecord(record.id);
  const proof = await airline.waitForProof(record.id);
  const verdict = await verifyRecord({ record: read.record, proof, chain: { provider }, contracts });
  if (!earlier) writePrivate(firstBundleFile, JSON.stringify({ record, proof }, null, 2));

  // The same exchange through IATA ONE Record: the forwarder creates a piece (signed), delegates read
  // access to the airline, and the airline reads it back as JSON-LD.
  const forwarderOneRecord = new OneRecordClient({ hub: forwarder, orgId: "swift-forwarding", privateKey: loadOrgKey("swift-forwarding").privateKey });
  const airlineOneRecord = new OneRecordClient({ hub: airline, orgId: "skyline-air", privateKey: loadOrgKey("skyline-air").privateKey });
  const piece = await forwarderOneRecord.createObject(JSON.parse(readFileSync(join(__dirname, "demo", "piece.jsonld"), "utf8")) as JsonObject);
  await forwarderOneRecord.requestAccessDelegation({
    "@context": { api: "https://onerecord.iata.org/ns/api#" },
    "@type": "api:AccessDelegation",
    "api:hasLogisticsObject": [{ "@id": piece.iri }],
    "api:isRequestedFor": [{ "@id": airlineOneRecord.partyIri("skyline-air") }],
    "api:hasPermission": [{ "@id": "api:GET_LOGISTICS_OBJECT" }],
  });
  const pieceRead = await airlineOneRecord.getObject(piece.iri);

  // A countersigned custody handover (docs/custody.md): the forwarder hands a ULD to the airline at
  // HKG, the airline finds it pending, counts it and countersigns; the custody chain names the holder,
  // and the pair verifies from the chain alone. A new ULD each start, so its chain is this run's.
  const uld = `AKE${String(randomBytes(3).readUIntBE(0, 3) % 100_000).padStart(5, "0")}SK`;
  const { record: handover } = await forwarder.publish("CustodyHandover", {
    receiver: "skyline-air",
    items: [{ kind: "ULD", id: uld }],
    pieceCount: 24,
    grossWeight: { value: 186.4, unit: "KGM" },
    seals: ["SK-000917"],
    place: { airport: "HKG", location: "Cargo terminal, acceptance dock 3" },
    handedOverAt: new Date().toISOString(),
  });
  const pending = (await custodyHandovers(airline, { status: "pending" })).some((h) => h.handover.id === handover.id);
  const { record: receipt } = await airline.publish("CustodyReceipt", {
    handover: { id: handover.id, version: handover.version, digest: handover.digest },
    decision: "ACCEPTED",
    countedPieces: 24,
    countedWeight: { value: 186.4, unit: "KGM" },
    seals: ["SK-000917"],
    receivedAt: new Date().toISOString(),
  });
  const custody = await custodyChain(forwarder, uld);
  const custodyVerdict = await verifyCustody({
    handover,
    handoverProof: await forwarder.waitForProof(handover.id),
    receipt,
    receiptProof: await airline.waitForProof(receipt.id),
    chain: { provider },
    contracts,
  });

  // The identifier bridge (docs/resolve.md): the airline holds only the piece's ONE Record IRI; the
  // hub answers with the record, its digest and Merkle leaf, and each of those names the same record
  // again; the SDK folds the proof from the digest to the anchored root itself.
  const bridged = (await resolve(airline, piece.iri)).records[0]!;
  await airline.waitForProof(bridged.id);
  const fromDigest = await resolve(airline, bridged.digest);
  const fromLeaf = await resolve(airline, bridged.merkleLeaf);
  const sameThing = [fromDigest, fromLeaf].every((a) => a.records.length === 1 && a.records[0]!.id === bridged.id);
  const anchored = fromLeaf.records[0]!;
  const bridgeProof = anchored.proof !== undefined && checkResolvedProof(anchored);

  // A product with its provenance story, for the consumer's page.
  const productLine = await publishDemoProduct({
    brand: as("aurora-brand"),
    certifier: as("trust-certify"),
    forwarder: forwarder,
    airline: airline,
    platform: as("harbour-mall"),
  }).then(
    (path) => `  5. aurora-brand's headphones have a provenance page: open ${hub.url}${path} in a browser
     (its QR code: ${hub.url}/qr${path}?format=svg), then press "Verify in my browser"`,
    (err: unknown) => `  5. (the demo product was not published: ${(err as Error).message}; \`npm start -- --reset\` starts afresh)`,
  );

  const cli = "npm run -s cargoproof --";
  console.log(`
cargoproof is running${firstRun ? " (first start: contracts deployed, demo organisations admitted)" : ""}
  hub      ${hub.url}        database ${config.DATABASE_URL}
  chain    ${chain.rpcUrl}  (chain id ${deployment.chainId}; ${chain.replayed} transaction(s) replayed from ${rel(DATA_DIR)}/chain-journal.jsonl)
  contracts ParticipantRegistry ${deployment.participantRegistry}
            AnchorRegistry      ${deployment.anchorRegistry}
            CredentialRegistry  ${deployment.credentialRegistry}
  organisations ${DEMO_ORGS.map((o) => `${o.id} (${o.roles.join(",")})`).join(", ")}
  credentials   ${DEMO_ORGS.filter((o) => o.credentials.length > 0)
    .map((o) => `${o.id}: ${o.credentials.map((c) => c.kind).join("+")}`)
    .join("; ")}
                (issued on chain by the consortium operator; \`npm run -s cargoproof -- credentials --as ORG OTHER-ORG\` lists them)
  their keys    ${rel(join(DATA_DIR, "keys"))}/ (git-ignored; never share them)
  hub's keys    ${legacyDevKeys ? "Hardhat's public development accounts #0 and #1 (see the warning)" : `${rel(hubKeysFile())} (operator ${new Wallet(operatorKey).address}, anchorer ${new Wallet(anchorerKey).address})`}
${devKeysWarning}
${lines.join("\n")}  Walk-through, just run:
  1. swift-forwarding signed and published Shipment ${record.id}
     digest ${record.digest}
  2. it granted read access to skyline-air, which read the record back (${Object.keys(read.record.body).length} fields)
  3. the hub anchored it: root ${proof.root.slice(0, 18)}... in block ${proof.blockNumber} (tx ${proof.txHash?.slice(0, 18)}...)
  4. the SDK verified it against the chain, trusting nobody: ${verdict.valid ? "VALID" : "INVALID"}
     (digest ${verdict.digest.ok ? "ok" : "BAD"}, signature by ${verdict.signature.signer}, member ${verdict.membership.ok ? "ok" : "NO"}, authority ${verdict.authority.ok ? "ok" : "NO"}, revoked ${verdict.revocation.revoked ? "YES" : "no"})
${productLine}
  6. the same through IATA ONE Record (API 2.3): swift-forwarding created ${piece.iri}
     (signed and anchored like any record), delegated read access to skyline-air, which read it as
     JSON-LD: ${pieceRead.type.replace("https://onerecord.iata.org/ns/cargo#", "cargo:")}, revision ${pieceRead.revision}. ${hub.url}/ answers the server information.
  7. custody: swift-forwarding handed ULD ${uld} (24 pieces, 186.4 kg, seal SK-000917) to skyline-air
     at HKG (CustodyHandover ${handover.id}); skyline-air ${pending ? "found it pending" : "did NOT find it pending"}, counted it and countersigned
     (CustodyReceipt ${receipt.id}). ${hub.url}/v1/custody?item=${uld} now says: held by ${custody.holder ?? "nobody"}.
     Verified from the chain alone: ${custodyVerdict.valid ? "VALID" : "INVALID"}, ${custodyVerdict.status}, ${custodyVerdict.discrepancies.length} discrepancies
  8. one identifier bridge, ${hub.url}/v1/resolve?id=<any identifier>: skyline-air gave the piece's IRI
     and got record ${bridged.id} (${bridged.type}), digest ${bridged.digest.slice(0, 18)}..., Merkle leaf ${bridged.merkleLeaf.slice(0, 18)}...;
     the digest and the leaf name the same record: ${sameThing ? "yes" : "NO"}; its proof folds to the anchored root ${anchored.proof?.root.slice(0, 18) ?? "(none)"}...: ${bridgeProof ? "ok" : "BAD"}

  Try it yourself in another terminal:
    ${cli} publish --as swift-forwarding --type Shipment --file scripts/demo/shipment.json
    ${cli} grant --as swift-forwarding <record-id> skyline-air
    ${cli} get --as skyline-air <record-id>
    ${cli} bundle --as skyline-air <record-id> --out shipment.bundle.json
    ${cli} verify shipment.bundle.json          (needs only the chain: works with the hub stopped)
    ${cli} get --as customs-hkg <record-id>     (not granted: 404, as for a record that does not exist)
    ${cli} create-object --as swift-forwarding --file scripts/demo/piece.jsonld   (ONE Record: a signed logistics object)
    ${cli} object --as swift-forwarding <object-iri> --embedded                   (read it back as JSON-LD)
    ${cli} revoke --as swift-forwarding <record-id> --reason "sent in error"   (the publisher revokes it on chain, with its own key)
    ${cli} export --as audit-board --out hub.jsonl   (an auditor downloads everything the hub holds)
    ${cli} audit --file hub.jsonl                    (and checks it against the chain alone: exit 0 when clean)

  Ctrl-C stops everything; \`npm start\` again resumes with the same data; \`npm start -- --reset\` starts afresh.
`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("stopping...");
    await hub.stop();
    provider.destroy();
    await chain.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((err: unknown) => {
  console.error(`npm start failed: ${(err as Error).message}`);
  process.exit(1);
});
