// Generates one Prisma client per database provider from the single schema in server/db/.
// Prisma ties a generated client to its provider, so SQLite and PostgreSQL each get a copy that
// differs only in the datasource provider. PRISMA_SCHEMA_ENGINE_BINARY=/bin/true keeps the CLI from
// downloading an engine it does not need for `generate` (see docs/database.md).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const schema = readFileSync(join(root, "server/db/schema.prisma"), "utf8");
const outDir = join(root, "server/db/.generated");
mkdirSync(outDir, { recursive: true });
for (const provider of ["sqlite", "postgresql"]) {
  const file = join(outDir, `schema.${provider}.prisma`);
  writeFileSync(file, schema.replace(/provider\s*=\s*"sqlite"/, `provider = "${provider}"`).replace(/output\s*=\s*"[^"]*"/, `output = "./${provider}"`));
  execFileSync(process.execPath, [join(root, "node_modules/prisma/build/index.js"), "generate", "--schema", file], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: "/bin/true", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
}
