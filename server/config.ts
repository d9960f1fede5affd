import { z } from "zod";
import { CebDirectorySchema } from "../sdk/ceb";
import { MatchRulesSchema } from "./customs/rules";
import { CustomsAirportsSchema } from "./one-record/customs-airports";

const hexKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte hex private key");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte hex address");
const int = (def: number) => z.coerce.number().int().positive().default(def);

/** A setting holding a JSON object checked by `schema`; a fault names the field (undefined when unset). */
function jsonSetting<S extends z.ZodType>(schema: S, example: string) {
  return z
    .string()
    .optional()
    .transform((text, ctx): z.output<S> | undefined => {
      if (!text) return undefined;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: "custom", message: `must be a JSON object, e.g. ${example}` });
        return z.NEVER;
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        ctx.addIssue({ code: "custom", message: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
        return z.NEVER;
      }
      return parsed.data;
    });
}

/** The hub's configuration, read from the environment once at start-up. */
export const ConfigSchema = z
  .object({
    HOST: z.string().default("127.0.0.1"),
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    PUBLIC_URL: z.string().url().optional(),
    DATABASE_URL: z.string().default("file:.data/hub.db"),
    // Storage faults (docs/database.md): SQLite's in-driver wait for a lock (it blocks the event loop),
    // a write's whole bounded wait for a lock (SQLite: asynchronous retries; PostgreSQL: lock_timeout),
    // PostgreSQL's statement_timeout (0 = none), and the most pages the SQLite database may grow to.
    SQLITE_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(5000).default(50),
    DB_LOCK_WAIT_MS: z.coerce.number().int().min(1).max(600_000).default(5000),
    DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
    SQLITE_MAX_PAGE_COUNT: z.coerce.number().int().positive().optional(),
    RPC_URL: z.string().url().default("http://127.0.0.1:8545"),
    PARTICIPANT_REGISTRY: address,
    ANCHOR_REGISTRY: address,
    // The block the registries were deployed in: every log search (verification, the page, the
    // self-audit) starts there, not at block 0 (docs/deploy.md). 0 is correct, only slow on a long chain.
    CONTRACTS_FROM_BLOCK: z.coerce.number().int().min(0).default(0),
    // The CredentialRegistry (default: the one PARTICIPANT_REGISTRY names), and how long a member's
    // credentials read from it are reused when judging its publications (docs/authority.md).
    CREDENTIAL_REGISTRY: address.optional(),
    CREDENTIAL_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
    OPERATOR_PRIVATE_KEY: hexKey,
    ANCHORER_PRIVATE_KEY: hexKey.optional(),
    // Hardhat's public development keys are refused as the keys above unless this is set and the chain
    // is a local development chain (31337, 1337): tests and demos only (server/chain/dev-keys.ts).
    ALLOW_DEV_KEYS: z
      .enum(["true", "false"])
      .default("false")
      .transform((v) => v === "true"),
    TOKEN_SECRET: z.string().min(32, "must be at least 32 characters"),
    ACCESS_TOKEN_TTL_S: int(900),
    ANCHOR_WORKER: z.enum(["on", "off"]).default("on"),
    ANCHOR_BATCH_SIZE: int(10_000),
    ANCHOR_MAX_AGE_MS: int(2_000),
    ANCHOR_POLL_MS: int(200),
    ANCHOR_LEASE_MS: int(15_000),
    // Finality and fees (docs/design.md "Anchoring"): confirmations before a batch is ANCHORED (default
    // 0 on a local development chain, 12 elsewhere), the transaction type (auto: EIP-1559 when blocks
    // carry a base fee), a fixed gas price in wei (0 for zero-gas networks), and when a transaction
    // without a receipt is replaced with higher fees.
    ANCHOR_CONFIRMATIONS: z.coerce.number().int().min(0).max(10_000).optional(),
    ANCHOR_TX_TYPE: z.enum(["auto", "legacy", "eip1559"]).default("auto"),
    ANCHOR_GAS_PRICE: z
      .string()
      .regex(/^\d{1,30}$/, "must be a whole number of wei")
      .transform((v) => BigInt(v))
      .optional(),
    ANCHOR_STUCK_MS: int(180_000),
    INSTANCE_ID: z.string().optional(),
    VERIFY_RATE_PER_MIN: int(120),
    // POST /v1/verify answers 503 chain-unavailable when the chain has not answered within this bound.
    VERIFY_CHAIN_TIMEOUT_MS: int(5_000),
    // Worker threads checking the records of large published batches (default: one less than the cores; 0 = inline).
    RECORD_CHECK_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
    // The consumer's provenance page (docs/provenance-page.md): the RPC browsers verify against (default
    // RPC_URL), a link template to the anchoring transaction ("https://explorer.example/tx/{tx}"), the
    // key of scan places' keyed hashes (default: random per process), and when a sold item's scans warn.
    PUBLIC_RPC_URL: z.string().url().optional(),
    EXPLORER_TX_URL: z
      .string()
      .regex(/^https?:\/\/\S*\{tx\}\S*$/, "must be an http(s) URL containing {tx}")
      .optional(),
    SCAN_PLACE_KEY: z.string().min(32, "must be at least 32 characters").optional(),
    SCAN_WARN_SCANS_AFTER_SOLD: z.coerce.number().int().min(0).default(20),
    SCAN_WARN_PLACES_AFTER_SOLD: z.coerce.number().int().min(0).default(3),
    // How long an assembled product story is reused (ms; 0 = assembled per request).
    PAGE_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
    // Static bearer token for Prometheus scrapes of /metrics (operators and auditors may use their access token).
    METRICS_TOKEN: z.string().min(32, "must be at least 32 characters").optional(),
    // The hub's scheduled self-audit: interval (0 = off), the anchoring delay it tolerates, first block to
    // read (default CONTRACTS_FROM_BLOCK).
    AUDIT_INTERVAL_MS: z.coerce.number().int().min(0).default(900_000),
    AUDIT_MAX_ANCHOR_LAG_S: int(3600),
    AUDIT_FROM_BLOCK: z.coerce.number().int().min(0).optional(),
    // Cross-border e-commerce customs (docs/customs.md): the secret keying buyers' identity hashes, the
    // deadline for a case's missing documents, the matcher (batch, poll, lease, and how long an
    // incomplete case waits after its last document), and match rules overriding the defaults (JSON).
    CUSTOMS_MATCH_KEY: z.string().min(32, "must be at least 32 characters"),
    CUSTOMS_DOCUMENT_DEADLINE_MS: int(86_400_000),
    CUSTOMS_MATCHER: z.enum(["on", "off"]).default("on"),
    CUSTOMS_MATCH_BATCH: int(2000),
    CUSTOMS_MATCH_POLL_MS: int(200),
    CUSTOMS_MATCH_LEASE_MS: int(60_000),
    CUSTOMS_MATCH_SETTLE_MS: z.coerce.number().int().min(0).default(30_000),
    // Quota pre-checks (POST /v1/customs/quota-check) a platform may make a minute, counted across instances.
    CUSTOMS_QUOTA_CHECK_PER_MIN: int(600),
    // The identifier bridge (docs/resolve.md): candidates read per page, before access is checked.
    RESOLVE_PAGE_SIZE: int(1000),
    // Webhooks and the notification stream (docs/notifications.md): retry backoff base, attempts before a
    // dead letter, call timeout, whether loopback/private targets are allowed (tests, demos), the worker
    // and its slow poll; the stream's slow poll and heartbeat.
    WEBHOOK_RETRY_BASE_MS: int(1000),
    WEBHOOK_MAX_ATTEMPTS: int(8),
    WEBHOOK_TIMEOUT_MS: int(5000),
    WEBHOOK_ALLOW_PRIVATE: z
      .enum(["true", "false"])
      .default("false")
      .transform((v) => v === "true"),
    WEBHOOK_WORKER: z.enum(["on", "off"]).default("on"),
    WEBHOOK_POLL_MS: int(1000),
    NOTIFICATION_STREAM_POLL_MS: int(2000),
    NOTIFICATION_STREAM_HEARTBEAT_MS: int(15_000),
    // Open notification streams per organisation (one more answers 429).
    NOTIFICATION_STREAMS_PER_ORG: int(5),
    // HTTP server bounds (docs/api.md "Limits"): a request's headers, and the whole request (headers and
    // body, not the answer: streams stay open), must arrive within these; an idle kept-alive connection closes.
    HTTP_HEADERS_TIMEOUT_MS: int(10_000),
    HTTP_REQUEST_TIMEOUT_MS: int(30_000),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: int(5_000),
    // Customs reads the manifest of flights arriving at its airports (docs/one-record.md "Sharing"),
    // e.g. "customs-hkg=HKG;customs-pvg=PVG,SHA"; empty: nobody by this policy.
    CUSTOMS_AIRPORTS: CustomsAirportsSchema,
    CUSTOMS_MATCH_RULES: jsonSetting(MatchRulesSchema.partial(), '{"tolerance":0.05}'),
    // The e-port directory (docs/customs.md "E-port messages"): enterprise codes to organisations,
    // customs areas to offices and ports; empty: no e-port message converts.
    CUSTOMS_CEB_DIRECTORY: jsonSetting(
      CebDirectorySchema,
      '{"enterprises":{"3301960XYZ":"shop-global"},"customsAreas":{"2991":{"customsOffice":"hz-customs"}}}',
    ),
  })
  .refine((c) => c.HTTP_HEADERS_TIMEOUT_MS <= c.HTTP_REQUEST_TIMEOUT_MS, {
    path: ["HTTP_HEADERS_TIMEOUT_MS"],
    message: "must not exceed HTTP_REQUEST_TIMEOUT_MS",
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
