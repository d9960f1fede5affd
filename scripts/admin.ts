// `npm run -s admin -- <command>`: what the operator of a hub deployment does beside the hub
// (docs/deploy.md): make keys and secrets, turn a deployment into the hub's settings, and authorise
// or retire anchorer keys on the AnchorRegistry. Paths are relative to where npm was run (INIT_CWD),
// so `npm --prefix /opt/cargoproof run -s admin -- ...` works from a site folder.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Contract, JsonRpcProvider, Wallet, getAddress, isAddress } from "ethers";
import { z } from "zod";
import { anchorRegistryAbi } from "../sdk/chain-abi";
import { checkHubKeys } from "../server/chain/dev-keys";
import { DeploymentSchema } from "./contracts";
import { KeyFileError, newKeyFile, readKeyFile, userPath } from "./key-file";

const USAGE = `usage: admin <command> [options]
  keygen --out FILE                      a new random private key, written to FILE (mode 0600; never overwritten); prints its address
  address FILE                           the address of the private key in FILE
  secret                                 32 random bytes, hex: for TOKEN_SECRET, CUSTOMS_MATCH_KEY, METRICS_TOKEN, SCAN_PLACE_KEY
  contracts-env DEPLOYMENT.json          the hub's contract settings (registries, CONTRACTS_FROM_BLOCK) from \`npm run deploy\`'s output
  anchorer add|remove ADDRESS --deployment DEPLOYMENT.json --key ADMIN.key
                                         authorise or retire an anchorer key on the AnchorRegistry (RPC_URL from the environment)`;

const readKey = (file: string): Wallet => new Wallet(readKeyFile(file).privateKey);

function readDeployment(file: string) {
  const parsed = DeploymentSchema.safeParse(JSON.parse(readFileSync(userPath(file), "utf8")));
  if (!parsed.success) throw new UsageError(`${file}: not a deployment (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})`);
  return parsed.data;
}

class UsageError extends Error {}

async function setAnchorer(action: string | undefined, address: string | undefined, opts: { deployment?: string; key?: string }): Promise<string> {
  if (action !== "add" && action !== "remove") throw new UsageError("anchorer add|remove ADDRESS");
  if (!address || !isAddress(address)) throw new UsageError("anchorer: ADDRESS must be an Ethereum address");
  if (!opts.deployment || !opts.key) throw new UsageError("anchorer: --deployment and --key are required");
  const rpcUrl = z.string().url().safeParse(process.env.RPC_URL);
  if (!rpcUrl.success) throw new UsageError("anchorer: RPC_URL must be the chain's JSON-RPC URL");
  const deployment = readDeployment(opts.deployment);
  const provider = new JsonRpcProvider(rpcUrl.data, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const chainId = Number((await provider.getNetwork()).chainId);
    if (chainId !== deployment.chainId) throw new UsageError(`RPC_URL is chain ${chainId}, the deployment is on chain ${deployment.chainId}`);
    const admin = readKey(opts.key).connect(provider);
    checkHubKeys({ "--key": admin.privateKey }, chainId, true);
    const registry = new Contract(deployment.anchorRegistry, anchorRegistryAbi, admin);
    const receipt = (await (await registry.getFunction("setAnchorer")(address, action === "add")).wait()) as { hash: string; blockNumber: number };
    return `${action === "add" ? "authorised" : "retired"} anchorer ${getAddress(address)} (transaction ${receipt.hash}, block ${receipt.blockNumber})`;
  } finally {
    provider.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: "string" }, deployment: { type: "string" }, key: { type: "string" }, help: { type: "boolean" } },
  });
  const [command, ...rest] = positionals;
  switch (command) {
    case "keygen": {
      if (!values.out) throw new UsageError("keygen --out FILE");
      console.log(newKeyFile(values.out).address);
      return 0;
    }
    case "address":
      if (!rest[0]) throw new UsageError("address FILE");
      console.log(readKey(rest[0]).address);
      return 0;
    case "secret":
      console.log(randomBytes(32).toString("hex"));
      return 0;
    case "contracts-env": {
      if (!rest[0]) throw new UsageError("contracts-env DEPLOYMENT.json");
      const d = readDeployment(rest[0]);
      console.log(
        [
          `PARTICIPANT_REGISTRY=${d.participantRegistry}`,
          `ANCHOR_REGISTRY=${d.anchorRegistry}`,
          `CREDENTIAL_REGISTRY=${d.credentialRegistry}`,
          `CONTRACTS_FROM_BLOCK=${d.deployedAtBlock}`,
        ].join("\n"),
      );
      return 0;
    }
    case "anchorer":
      console.log(await setAnchorer(rest[0], rest[1], values));
      return 0;
    default:
      console.error(USAGE);
      return command === undefined || values.help ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`admin: ${(err as Error).message}`);
    process.exit(err instanceof UsageError || err instanceof KeyFileError || (err as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? 2 : 1);
  },
);
