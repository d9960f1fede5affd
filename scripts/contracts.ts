import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ContractFactory, type Wallet } from "ethers";
import { z } from "zod";

interface Artifact {
  abi: unknown[];
  bytecode: string;
}

/** Reads a compiled contract from Hardhat's artifacts (`npm install` compiles them). */
export function artifact(name: "ParticipantRegistry" | "AnchorRegistry" | "CredentialRegistry"): Artifact {
  const file = join(__dirname, "..", "artifacts", "contracts", `${name}.sol`, `${name}.json`);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Artifact;
  } catch {
    throw new Error(`${file} is missing: run \`npx hardhat compile\` first`);
  }
}

/** What `npm run deploy` prints and `npm start` keeps: where the registries are, and from which block. */
export const DeploymentSchema = z.object({
  chainId: z.number().int(),
  participantRegistry: z.string(),
  anchorRegistry: z.string(),
  credentialRegistry: z.string(),
  deployer: z.string(),
  anchorers: z.array(z.string()),
  deployedAtBlock: z.number().int().min(0),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

/**
 * Deploys the three registries from `deployer` (who becomes operator and admin), names the credential
 * registry in the participant registry (verifiers find it there), and authorises the anchorers.
 */
export async function deployContracts(deployer: Wallet, anchorers: string[]): Promise<Deployment> {
  const provider = deployer.provider!;
  const p = artifact("ParticipantRegistry");
  const a = artifact("AnchorRegistry");
  const participants = await new ContractFactory(p.abi as never, p.bytecode, deployer).deploy();
  const receipt = await participants.deploymentTransaction()!.wait();
  const anchors = await new ContractFactory(a.abi as never, a.bytecode, deployer).deploy(await participants.getAddress());
  await anchors.deploymentTransaction()!.wait();
  const c = artifact("CredentialRegistry");
  const credentials = await new ContractFactory(c.abi as never, c.bytecode, deployer).deploy(await participants.getAddress());
  await credentials.deploymentTransaction()!.wait();
  const named = (await participants.getFunction("setCredentialRegistry")(await credentials.getAddress())) as { wait(): Promise<unknown> };
  await named.wait();
  for (const anchorer of anchorers) {
    const tx = (await anchors.getFunction("setAnchorer")(anchorer, true)) as { wait(): Promise<unknown> };
    await tx.wait();
  }
  return {
    chainId: Number((await provider.getNetwork()).chainId),
    participantRegistry: await participants.getAddress(),
    anchorRegistry: await anchors.getAddress(),
    credentialRegistry: await credentials.getAddress(),
    deployer: deployer.address,
    anchorers,
    deployedAtBlock: receipt!.blockNumber,
  };
}
