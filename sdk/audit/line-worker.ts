// Worker thread of the audit's line pool (line-pool.ts): checks chunks of export lines.
import { keccakReady } from "../bytes";
import { serveChunks } from "../worker-pool";
import { checkExportLine } from "./line-check";

serveChunks(checkExportLine, keccakReady);
