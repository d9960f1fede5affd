// Worker thread of the audit's line pool (line-pool.ts): checks chunks of export lines, or of an export file's bytes.
import { keccakReady } from "../bytes";
import { serveChunks } from "../worker-pool";
import { checkExportItem } from "./line-check";

serveChunks(checkExportItem, keccakReady);
