// The hub's process entry: configuration from the environment (see server/config.ts).
import { loadConfig } from "./config";
import { startHub } from "./hub";

async function main() {
  const config = loadConfig();
  const hub = await startHub(config);
  console.log(`[hub] listening on ${hub.url}`);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    hub.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((err: unknown) => {
  console.error(`[hub] failed to start: ${(err as Error).message}`);
  process.exit(1);
});
