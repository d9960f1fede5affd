import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A preload that records every outgoing TCP connection of the process it runs in and refuses it:
 * the tools that read the OpenAPI document (redocly, openapi-typescript) must work with no network.
 */
const PRELOAD = `
const net = require("node:net");
const fs = require("node:fs");
net.Socket.prototype.connect = function (...args) {
  // net.connect passes its arguments normalised, as one array.
  const options = Array.isArray(args[0]) ? args[0][0] : args[0];
  const where = typeof options === "object" && options ? { host: options.host, port: options.port, path: options.path } : args;
  fs.appendFileSync(process.env.NETWORK_ATTEMPTS, JSON.stringify(where) + "\\n");
  process.nextTick(() => this.destroy(new Error("no network in this test")));
  return this;
};
`;

/** An environment for child processes that refuses them the network, and what they tried. */
export function withoutNetwork(dir: string): { env: NodeJS.ProcessEnv; attempts(): string } {
  const log = join(dir, "network-attempts.log");
  const preload = join(dir, "no-network.cjs");
  writeFileSync(preload, PRELOAD);
  return {
    env: {
      ...process.env,
      // Redocly's telemetry and update check off (redocly.yaml says telemetry: off too).
      REDOCLY_TELEMETRY: "off",
      REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
      NO_COLOR: "1",
      NETWORK_ATTEMPTS: log,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${preload}`.trim(),
    },
    attempts: () => (existsSync(log) ? readFileSync(log, "utf8") : ""),
  };
}
