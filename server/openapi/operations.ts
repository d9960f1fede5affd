import type { Operation } from "./registry";
import { accessLogOperations } from "./paths/access-log";
import { auditOperations } from "./paths/audit";
import { authOperations } from "./paths/auth";
import { customsOperations } from "./paths/customs";
import { docsOperations } from "./paths/docs";
import { epcisOperations } from "./paths/epcis";
import { notificationOperations } from "./paths/notifications";
import { orgOperations } from "./paths/orgs";
import { provenanceOperations } from "./paths/provenance";
import { recordOperations } from "./paths/records";
import { verifyOperations } from "./paths/verify";

/** Every operation the hub serves; test/integration/openapi.test.ts checks this against the mounted routes. */
export const operations: readonly Operation[] = [
  ...docsOperations,
  ...authOperations,
  ...orgOperations,
  ...recordOperations,
  ...verifyOperations,
  ...notificationOperations,
  ...accessLogOperations,
  ...auditOperations,
  ...customsOperations,
  ...epcisOperations,
  ...provenanceOperations,
];
