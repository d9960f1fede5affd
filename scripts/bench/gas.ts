// Gas benchmark for on-chain anchoring. Run with `npx hardhat run scripts/bench/gas.ts` (in-process
// hardhat network). Compares the hash-chain AnchorRegistry against a per-root-storage alternative and
// against one transaction per record; writes bench-results/gas.json (gas-<evm>.json for a build for
// another EVM version: CARGOPROOF_EVM_VERSION=cancun npm run bench:gas, see hardhat.config.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { config, ethers, network } from "hardhat";
import type { Contract, ContractTransactionResponse, HDNodeWallet } from "ethers";
import {
  issueCredentialBySignatureArgs,
  revokeBySignatureArgs,
  revokeCredentialBySignatureArgs,
  signCredentialIssue,
  signCredentialRevocation,
  signRevocation,
} from "../../sdk/relay";
import { issuedCredentialId } from "../../sdk/authority/chain";

const BATCH_SIZES = [1, 100, 1_000, 10_000] as const;
const TARGET_GAS_PER_RECORD = 3; // at 10,000 records per batch
const TARGET_BATCH = 10_000;
const SAMPLES = 5; // real transactions measured per figure; the median is reported

type Row = {
  records: number;
  hashChainTxGas: number;
  hashChainGasPerRecord: number;
  storedRootTxGas: number;
  storedRootGasPerRecord: number;
  oneTxPerRecordGas: number;
  oneTxPerRecordGasPerRecord: number;
};

function randomBytes32(): string {
  return ethers.hexlify(ethers.randomBytes(32));
}

/** A fresh member key (never funded), admitted to its own organisation. */
async function signedMember(participants: Contract): Promise<HDNodeWallet> {
  const key = ethers.Wallet.createRandom();
  await gasOf(participants.admit(ethers.encodeBytes32String("bench-relayed"), 1n, key.address));
  return key;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : Math.round((s[mid - 1] + s[mid]) / 2);
}

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (receipt === null || receipt.status !== 1) throw new Error("transaction failed");
  return Number(receipt.gasUsed);
}

/** Median gas of SAMPLES real anchor transactions with fresh random roots. */
async function anchorGas(contract: Contract, records: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) samples.push(await gasOf(contract.anchor(randomBytes32(), records)));
  return median(samples);
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function main(): Promise<void> {
  const evmVersion = config.solidity.compilers[0]?.settings?.evmVersion as string | undefined;
  if (network.name !== "hardhat") console.warn(`warning: running on "${network.name}", not the hardhat network`);
  const [admin, hub, member] = await ethers.getSigners();
  const hubAddr = await hub.getAddress();

  const participants = await ethers.deployContract("ParticipantRegistry", admin);
  const anchors = await ethers.deployContract("AnchorRegistry", [await participants.getAddress()], admin);
  const stored = await ethers.deployContract("StoredRootAnchor", admin);
  await gasOf(anchors.setAnchorer(hubAddr, true));
  await gasOf(stored.setAnchorer(hubAddr, true));
  const hubAnchors = anchors.connect(hub) as Contract;
  const hubStored = stored.connect(hub) as Contract;

  // Baseline "one transaction per record": real single-record anchor transactions, multiplied by N.
  const singleRecordGas = await anchorGas(hubAnchors, 1);

  const rows: Row[] = [];
  for (const records of BATCH_SIZES) {
    const hashChainTxGas = await anchorGas(hubAnchors, records);
    const storedRootTxGas = await anchorGas(hubStored, records);
    const oneTxPerRecordGas = singleRecordGas * records;
    rows.push({
      records,
      hashChainTxGas,
      hashChainGasPerRecord: hashChainTxGas / records,
      storedRootTxGas,
      storedRootGasPerRecord: storedRootTxGas / records,
      oneTxPerRecordGas,
      oneTxPerRecordGasPerRecord: oneTxPerRecordGas / records,
    });
  }

  const orgId = ethers.encodeBytes32String("bench-org");
  const admitGas = await gasOf(participants.admit(orgId, 1n, await member.getAddress()));
  const revokeGas = await gasOf((anchors.connect(member) as Contract).revoke(randomBytes32(), "bench revocation"));
  // The same revocation signed by a member key without funds (EIP-712) and sent by another account (the hub).
  const relayGas = await gasOf(
    anchors.getFunction("revokeBySignature")(
      ...revokeBySignatureArgs(
        await signRevocation({
          privateKey: (await signedMember(participants)).privateKey,
          chain: { provider: ethers.provider },
          anchorRegistry: await anchors.getAddress(),
          digest: randomBytes32(),
          reason: "bench revocation",
        }),
      ),
    ),
  );
  const rotateGas = await gasOf(participants.rotateKey(orgId, ethers.Wallet.createRandom().address));

  // Credentials (CredentialRegistry): what the consortium operator or an accreditation body pays.
  const credentials = await ethers.deployContract("CredentialRegistry", [await participants.getAddress()], admin);
  const setRegistryGas = await gasOf(participants.setCredentialRegistry(await credentials.getAddress()));
  const bodyId = ethers.encodeBytes32String("bench-accreditor");
  const body = ethers.Wallet.createRandom().connect(ethers.provider);
  await (await admin.sendTransaction({ to: body.address, value: ethers.parseEther("1") })).wait();
  await (await participants.admit(bodyId, 1n << 12n, body.address)).wait();
  const setIssuerGas = await gasOf(credentials.setIssuer(bodyId, 2n));
  const scope = '{"countries":["CN","FR"],"kinds":["CERTIFICATE_OF_ORIGIN","QUALITY"]}';
  const issueByOperatorGas = await gasOf(credentials.issue(orgId, 1, 0, 0, scope));
  const issueByBodyGas = await gasOf((credentials.connect(body) as Contract).issue(orgId, 1, 0, 0, scope));
  const revokeCredentialGas = await gasOf((credentials.connect(body) as Contract).revoke(1, "accreditation withdrawn"));
  // The same issue and revocation signed by the body's key (EIP-712) and sent by another account (the hub).
  const credentialRegistry = await credentials.getAddress();
  const signing = { privateKey: body.privateKey, chain: { provider: ethers.provider }, credentialRegistry };
  const signedIssue = await signCredentialIssue({ ...signing, subject: "bench-org", grant: { kind: "ACCREDITED_CERTIFIER", scope: JSON.parse(scope) } });
  const issueReceipt = await (await credentials.getFunction("issueBySignature")(...issueCredentialBySignatureArgs(signedIssue))).wait();
  if (!issueReceipt || issueReceipt.status !== 1) throw new Error("relayed issue failed");
  const issueBySignatureGas = Number(issueReceipt.gasUsed);
  const relayedId = issuedCredentialId(issueReceipt.logs);
  const revokeCredentialBySignatureGas = await gasOf(
    credentials.getFunction("revokeBySignature")(
      ...revokeCredentialBySignatureArgs(await signCredentialRevocation({ ...signing, id: relayedId, reason: "accreditation withdrawn" })),
    ),
  );

  console.log("\nAnchoring gas (hardhat network, contracts built for %s; median of %d real transactions per figure)\n", evmVersion, SAMPLES);
  const header = ["records", "AnchorRegistry tx", "gas/record", "StoredRootAnchor tx", "gas/record", "1 tx per record", "gas/record"];
  const table = rows.map((r) => [
    fmt(r.records),
    fmt(r.hashChainTxGas),
    fmt(r.hashChainGasPerRecord, 2),
    fmt(r.storedRootTxGas),
    fmt(r.storedRootGasPerRecord, 2),
    fmt(r.oneTxPerRecordGas),
    fmt(r.oneTxPerRecordGasPerRecord, 2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i])).join(" | ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const row of table) console.log(line(row));
  console.log(
    `\n"1 tx per record" = N x the gas of one real single-record AnchorRegistry.anchor tx (${fmt(singleRecordGas)} gas, ` +
      "measured), not N transactions actually sent.",
  );
  console.log(`\nParticipantRegistry.admit: ${fmt(admitGas)} gas`);
  console.log(`ParticipantRegistry.rotateKey: ${fmt(rotateGas)} gas`);
  console.log(`AnchorRegistry.revoke (16-byte reason): ${fmt(revokeGas)} gas`);
  console.log(`AnchorRegistry.revokeBySignature (relayed, 16-byte reason): ${fmt(relayGas)} gas`);
  console.log(`ParticipantRegistry.setCredentialRegistry: ${fmt(setRegistryGas)} gas`);
  console.log(`CredentialRegistry.setIssuer: ${fmt(setIssuerGas)} gas`);
  console.log(
    `CredentialRegistry.issue (${scope.length}-byte scope): ${fmt(issueByOperatorGas)} gas by the operator, ${fmt(issueByBodyGas)} by an accreditation body`,
  );
  console.log(`CredentialRegistry.revoke (23-byte reason): ${fmt(revokeCredentialGas)} gas`);
  console.log(`CredentialRegistry.issueBySignature (relayed, same scope, by an accreditation body): ${fmt(issueBySignatureGas)} gas`);
  console.log(`CredentialRegistry.revokeBySignature (relayed, 23-byte reason): ${fmt(revokeCredentialBySignatureGas)} gas`);

  const target = rows.find((r) => r.records === TARGET_BATCH);
  if (target === undefined) throw new Error("target batch size missing");
  const pass = target.hashChainGasPerRecord <= TARGET_GAS_PER_RECORD;

  const outDir = path.join(config.paths.root, "bench-results");
  mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, process.env.CARGOPROOF_EVM_VERSION ? `gas-${evmVersion}.json` : "gas.json");
  const result = {
    network: network.name,
    evmVersion,
    samplesPerFigure: SAMPLES,
    singleRecordAnchorGas: singleRecordGas,
    oneTxPerRecordNote: "N x measured single-record AnchorRegistry.anchor gas",
    rows,
    admitGas,
    rotateKeyGas: rotateGas,
    revokeGas,
    revokeBySignatureGas: relayGas,
    credentials: {
      setRegistryGas,
      setIssuerGas,
      issueByOperatorGas,
      issueByBodyGas,
      revokeCredentialGas,
      issueBySignatureGas,
      revokeCredentialBySignatureGas,
      scopeBytes: scope.length,
    },
    target: { records: TARGET_BATCH, maxGasPerRecord: TARGET_GAS_PER_RECORD, measured: target.hashChainGasPerRecord, pass },
  };
  writeFileSync(outFile, JSON.stringify(result, null, 2) + "\n");
  console.log(`\nwrote ${path.relative(config.paths.root, outFile)}`);

  console.log(
    `\n${pass ? "PASS" : "FAIL"}: AnchorRegistry.anchor at ${fmt(TARGET_BATCH)} records = ` +
      `${fmt(target.hashChainGasPerRecord, 3)} gas/record (${fmt(target.hashChainTxGas)} gas/tx); target <= ${TARGET_GAS_PER_RECORD}`,
  );
  if (!pass) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
