import type { Operation } from "./registry";
import { accessLogOperations } from "./paths/access-log";
import { auditOperations } from "./paths/audit";
import { authOperations } from "./paths/auth";
import { customsOperations } from "./paths/customs";
import { consolidationOperations } from "./paths/consolidation";
import { custodyOperations } from "./paths/custody";
import { resolveOperations } from "./paths/resolve";
import { docsOperations } from "./paths/docs";
import { epcisOperations } from "./paths/epcis";
import { notificationOperations } from "./paths/notifications";
import { orgOperations } from "./paths/orgs";
import { credentialOperations } from "./paths/credentials";
import { provenanceOperations } from "./paths/provenance";
import { recordOperations } from "./paths/records";
import { verifyOperations } from "./paths/verify";
import { revocationOperations } from "./paths/revocations";
import { sharingOperations } from "./paths/sharing";
import { oneRecordObjectOperations } from "./paths/one-record";
import { oneRecordEventOperations } from "./paths/one-record-events";
import { oneRecordRequestOperations } from "./paths/one-record-requests";

/** Every operation the hub serves; test/integration/openapi.test.ts checks this against the mounted routes. */
export const operations: readonly Operation[] = [
  ...docsOperations,
  ...authOperations,
  ...orgOperations,
  ...credentialOperations,
  ...recordOperations,
  ...sharingOperations,
  ...verifyOperations,
  ...revocationOperations,
  ...notificationOperations,
  ...accessLogOperations,
  ...auditOperations,
  ...customsOperations,
  ...custodyOperations,
  ...consolidationOperations,
  ...resolveOperations,
  ...epcisOperations,
  ...provenanceOperations,
  ...oneRecordObjectOperations,
  ...oneRecordEventOperations,
  ...oneRecordRequestOperations,
];
