import { z } from "zod";

const hexKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte hex private key");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte hex address");
const int = (def: number) => z.coerce.number().int().positive().default(def);

/** The hub's configuration, read from the environment once at start-up. */
export const ConfigSchema = z
  .object({
    HOST: z.string().default("127.0.0.1"),
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    PUBLIC_URL: z.string().url().optional(),
    DATABASE_URL: z.string().default("file:.data/hub.db"),
    RPC_URL: z.string().url().default("http://127.0.0.1:8545"),
    PARTICIPANT_REGISTRY: address,
    ANCHOR_REGISTRY: address,
    OPERATOR_PRIVATE_KEY: hexKey,
    ANCHORER_PRIVATE_KEY: hexKey.optional(),
    TOKEN_SECRET: z.string().min(32, "must be at least 32 characters"),
    ACCESS_TOKEN_TTL_S: int(900),
    ANCHOR_WORKER: z.enum(["on", "off"]).default("on"),
    ANCHOR_BATCH_SIZE: int(10_000),
    ANCHOR_MAX_AGE_MS: int(2_000),
    ANCHOR_POLL_MS: int(200),
    ANCHOR_LEASE_MS: int(15_000),
    INSTANCE_ID: z.string().optional(),
    VERIFY_RATE_PER_MIN: int(120),
  })
  .transform((c) => ({
    ...c,
    PUBLIC_URL: (c.PUBLIC_URL ?? `http://${c.HOST}:${c.PORT}`).replace(/\/$/, ""),
    ANCHORER_PRIVATE_KEY: c.ANCHORER_PRIVATE_KEY ?? c.OPERATOR_PRIVATE_KEY,
  }));

export type Config = z.output<typeof ConfigSchema>;

/** Parses the environment; the error names each bad variable but never echoes a value (secrets). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid hub configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
