// Deploys the registries to any EVM JSON-RPC endpoint:
//   RPC_URL=https://... DEPLOYER_PRIVATE_KEY=0x... ANCHORER_ADDRESSES=0xabc,0xdef npm run deploy
// Prints the deployment as JSON: addresses and deployment block (`npm run -s admin -- contracts-env FILE`
// turns it into the hub's settings; docs/deploy.md).
import { JsonRpcProvider, Wallet } from "ethers";
import { z } from "zod";
import { checkHubKeys } from "../server/chain/dev-keys";
import { deployContracts } from "./contracts";

const Env = z.object({
  RPC_URL: z.string().url(),
  DEPLOYER_PRIVATE_KEY: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "a 32-byte hex private key"),
  ANCHORER_ADDRESSES: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^0x[0-9a-fA-F]{40}$/, "addresses, comma-separated"))),
});

async function main() {
  const env = Env.safeParse(process.env);
  if (!env.success) {
    console.error("deploy: " + env.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    process.exit(2);
  }
  const provider = new JsonRpcProvider(env.data.RPC_URL, undefined, { cacheTimeout: -1 });
  const deployer = new Wallet(env.data.DEPLOYER_PRIVATE_KEY, provider);
  // The deployer becomes the registries' operator and admin: a public development key is for local chains only.
  checkHubKeys({ DEPLOYER_PRIVATE_KEY: env.data.DEPLOYER_PRIVATE_KEY }, Number((await provider.getNetwork()).chainId), true);
  const deployment = await deployContracts(deployer, env.data.ANCHORER_ADDRESSES);
  console.log(JSON.stringify(deployment, null, 2));
  provider.destroy();
}

main().catch((err: unknown) => {
  console.error(`deploy failed: ${(err as Error).message}`);
  process.exit(1);
});
