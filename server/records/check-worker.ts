// Worker thread of RecordChecks (check-pool.ts): checks or signs chunks of records.
import { keccakReady } from "../../sdk/bytes";
import { serveChunks } from "../../sdk/worker-pool";
import { runRecordJob } from "./check-pool";

serveChunks(runRecordJob, keccakReady);
