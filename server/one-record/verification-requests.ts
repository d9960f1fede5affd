/**
 * ONE Record verification requests (POST /logistics-objects/{id} with an api:Verification): a party
 * that may read a logistics object flags errors or anomalies in one revision of it, without proposing
 * values (that is a change request, changes.ts). The object's data holder acknowledges or rejects
 * it, the requester may revoke it while PENDING; its status is read and set through the action-request
 * routes (action-requests.ts), like every other action request. A verification changes no data, so
 * it is no signed record: a row of "VerificationRequest" (migration 0023) holds what was asked.
 */
import { randomUUID } from "node:crypto";
import type { Request } from "express";
import { API_SCHEMAS, apiClassOf, apiObjectOf } from "../../sdk/one-record/api-objects";
import { JsonLdFormError, isObject, textOf as jsonLdText, valuesOf as many, type Json, type JsonObject } from "../../sdk/one-record/jsonld";
import { API, XSD } from "../../sdk/one-record/vocabulary";
import { writeTransaction, type DbProvider } from "../db/client";
import { execute, query, type Runner } from "../db/sql";
import { HttpProblem, badRequest, conflict } from "../http/problem";
import { notify } from "../notifications/service";
import { statusNotifications, type ChangeDeps, type ObjectHeader } from "./changes";
import type { OneRecordIris } from "./iris";
import { actionRequestJsonLd, objectRequestHeadOf, type ObjectRequestHead } from "./action-request-json";
import { requireJsonLd } from "./objects";
import { readLine } from "../access-log/logged";

export const VERIFICATION_STATUSES = ["PENDING", "ACKNOWLEDGED", "REJECTED", "REVOKED"] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/** One api:Error of a verification, as stored and rendered. */
export interface VerificationError {
  title: string;
  severity?: "ERROR" | "WARNING" | "INFO";
  details: { code?: string; message?: string; property?: string; resource?: string }[];
}

export interface VerificationRequestRow extends ObjectRequestHead<VerificationStatus> {
  errors: VerificationError[];
}

const MAX_ERRORS = 50;
const MAX_DETAILS = 20;
const MAX_TEXT = 1000;
const COLUMNS = `"id", "objectId", "objectType", "revision", "requestedBy", "dataHolder", "notify", "status", "requestedAt", "statusSince", "decidedBy", "errors"`;

const rowOf = (r: Record<string, unknown>): VerificationRequestRow => ({
  ...objectRequestHeadOf<VerificationStatus>(r),
  errors: JSON.parse(String(r.errors)) as VerificationError[],
});

export async function loadVerificationRequest(db: Runner, provider: DbProvider, id: string): Promise<VerificationRequestRow | undefined> {
  const [row] = await query<Record<string, unknown>>(db, provider, `SELECT ${COLUMNS} FROM "VerificationRequest" WHERE "id" = $1`, [id]);
  return row ? rowOf(row) : undefined;
}

// ---- Reading an api:Verification ---------------------------------------------------------------

const invalid = (property: string, message: string) =>
  badRequest("invalid-verification", `The verification is not valid: ${message}.`, [{ path: API + property, message }]);
/** A literal's text or a node's @id, bounded. */
const textOf = (v: Json | undefined): string | undefined => jsonLdText(v)?.slice(0, MAX_TEXT);
const localOf = (iri: string | undefined) =>
  iri === undefined ? undefined : iri.startsWith(API) ? iri.slice(API.length) : iri.startsWith("api:") ? iri.slice(4) : iri;

function errorOf(node: Json): VerificationError {
  if (!isObject(node)) throw invalid("hasError", "each api:hasError is an api:Error");
  const title = textOf(node.hasTitle);
  if (!title) throw invalid("hasTitle", "each api:Error has an api:hasTitle");
  const severity = localOf(textOf(node.hasSeverity));
  const details = many(node.hasErrorDetail);
  if (details.length > MAX_DETAILS) throw invalid("hasErrorDetail", `at most ${MAX_DETAILS} api:ErrorDetails an error`);
  return {
    title,
    ...(severity === "ERROR" || severity === "WARNING" || severity === "INFO" ? { severity } : {}),
    details: details.filter(isObject).map((d) => {
      const out: VerificationError["details"][number] = {};
      for (const key of ["code", "message", "property", "resource"] as const) {
        const value = textOf(d[`has${key[0]!.toUpperCase()}${key.slice(1)}`]);
        if (value !== undefined) out[key] = value;
      }
      return out;
    }),
  };
}

interface Verification {
  revision: number;
  notify: boolean;
  errors: VerificationError[];
}

/**
 * The api:Verification of a request body about `object` (the revision it names, the latest if none),
 * or a 400 naming the api property (a 422 for a revision the object does not have).
 */
function verificationOf(iris: OneRecordIris, json: unknown, object: ObjectHeader): Verification {
  let node: JsonObject;
  try {
    node = apiObjectOf(json);
  } catch (err) {
    if (err instanceof JsonLdFormError) throw badRequest("invalid-verification", err.message, [{ path: err.path, message: err.message }]);
    throw err;
  }
  if (apiClassOf(node) !== "Verification") throw invalid("Verification", "an api:Verification is expected");
  const parsed = API_SCHEMAS.Verification.safeParse(node);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(String(issue.path[0] ?? "Verification"), issue.message);
  }
  const objectIri = iris.object(object.id);
  const named = textOf(node.hasLogisticsObject);
  if (named !== objectIri)
    throw new HttpProblem(
      400,
      "logistics-object-mismatch",
      "Logistics Object URI does not match",
      `The Verification names ${named ?? "no object"}, not ${objectIri}.`,
      [{ path: API + "hasLogisticsObject", message: "LogisticsObject URI in Verification does not match requested Logistics Object URI" }],
    );
  const errors = many(node.hasError);
  // The ontology: a Verification has at least one api:Error (what is wrong is the request).
  if (errors.length === 0) throw invalid("hasError", "name at least one api:Error");
  if (errors.length > MAX_ERRORS) throw invalid("hasError", `at most ${MAX_ERRORS} api:Errors`);
  const rawRevision = textOf(node.hasRevision);
  const revision = rawRevision === undefined ? object.latestVersion : /^\d{1,9}$/.test(rawRevision) ? Number(rawRevision) : NaN;
  if (!Number.isInteger(revision) || revision < 1 || revision > object.latestVersion)
    throw new HttpProblem(
      422,
      "revision-unknown",
      "Unprocessable Request",
      `The verification names revision ${rawRevision}; the object has revisions 1 to ${object.latestVersion}.`,
      [{ path: API + "hasRevision", message: `expected 1 to ${object.latestVersion}` }],
    );
  const flag = textOf(node.notifyRequestStatusChange);
  return { revision, notify: flag === "true" || flag === "1", errors: errors.map(errorOf) };
}

// ---- The lifecycle ---------------------------------------------------------------------------

/**
 * POST /logistics-objects/{id} with an api:Verification, by a party that may read the object (the
 * route checks): a PENDING request for the object's data holder, who is notified.
 */
export async function requestVerification(deps: ChangeDeps, orgId: string, object: ObjectHeader, req: Request): Promise<{ id: string }> {
  requireJsonLd(req);
  const verification = verificationOf(deps.iris, req.body, object);
  const latest = await deps.db.recordVersion.findUniqueOrThrow({
    where: { recordId_version: { recordId: object.id, version: object.latestVersion } },
    select: { body: true },
  });
  const objectType = String((JSON.parse(latest.body) as JsonObject).objectType);
  const id = randomUUID();
  const now = new Date();
  const row: VerificationRequestRow = {
    id,
    objectId: object.id,
    objectType,
    revision: verification.revision,
    requestedBy: orgId,
    dataHolder: object.owner,
    notify: verification.notify,
    status: "PENDING",
    requestedAt: now,
    statusSince: now,
    decidedBy: null,
    errors: verification.errors,
  };
  await writeTransaction(deps.db, async (tx) => {
    await execute(tx, deps.provider, `INSERT INTO "VerificationRequest" (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, 'PENDING', $8, $8, NULL, $9)`, [
      id,
      object.id,
      objectType,
      verification.revision,
      orgId,
      object.owner,
      verification.notify ? 1 : 0,
      now,
      JSON.stringify(verification.errors),
    ]);
    // The data holder hears of it even when it asked itself (as for a change request).
    await notify(tx, deps.provider, deps.accessLog, statusNotifications(deps, row, "VERIFICATION", "PENDING", "", [object.owner]));
  });
  return { id };
}

const decisionLine = (orgId: string, row: VerificationRequestRow, now: Date, detail: string) =>
  readLine(orgId, { id: row.objectId, version: row.revision, owner: row.dataHolder }, `one-record verification request ${row.id} ${detail}`, now.toISOString());

/**
 * PENDING -> `to` by compare-and-set, with its notifications: the requester when it asked, the data
 * holder of a revocation (it was told the request is pending); never the party that made the change.
 * Who may set which status is action-requests.ts's (changeStatus).
 */
export async function settleVerification(
  deps: ChangeDeps,
  orgId: string,
  row: VerificationRequestRow,
  to: Exclude<VerificationStatus, "PENDING">,
): Promise<void> {
  const now = new Date();
  await writeTransaction(deps.db, async (tx) => {
    const moved = await execute(
      tx,
      deps.provider,
      `UPDATE "VerificationRequest" SET "status" = $1, "statusSince" = $2, "decidedBy" = $3 WHERE "id" = $4 AND "status" = 'PENDING'`,
      [to, now, orgId, row.id],
    );
    if (moved !== 1)
      throw conflict(
        "request-not-pending",
        `The verification request is ${row.status === "PENDING" ? "no longer PENDING" : row.status}: only a PENDING request changes status.`,
      );
    await notify(tx, deps.provider, deps.accessLog, statusNotifications(deps, row, "VERIFICATION", to, orgId, to === "REVOKED" ? [row.dataHolder] : []));
    await deps.accessLog.appendIn(tx, [decisionLine(orgId, row, now, `REQUEST_${to}`)]);
  });
}

// ---- Its JSON-LD ----------------------------------------------------------------------------

const anyUri = (v: string) => ({ "@value": v, "@type": "xsd:anyURI" });

/** A verification request as an api:VerificationRequest (the form of VerificationRequest.json). */
export function verificationRequestJsonLd(iris: OneRecordIris, row: VerificationRequestRow): JsonObject {
  return actionRequestJsonLd(iris, "api:VerificationRequest", row, {
    "api:hasVerification": {
      "@type": "api:Verification",
      "api:hasLogisticsObject": { "@id": iris.object(row.objectId) },
      "api:hasError": row.errors.map((e) => ({
        "@type": "api:Error",
        "api:hasTitle": e.title,
        ...(e.severity ? { "api:hasSeverity": { "@id": `api:${e.severity}` } } : {}),
        ...(e.details.length > 0
          ? {
              "api:hasErrorDetail": e.details.map((d) => ({
                "@type": "api:ErrorDetail",
                ...(d.code !== undefined ? { "api:hasCode": d.code } : {}),
                ...(d.message !== undefined ? { "api:hasMessage": d.message } : {}),
                ...(d.property !== undefined ? { "api:hasProperty": anyUri(d.property) } : {}),
                ...(d.resource !== undefined ? { "api:hasResource": anyUri(d.resource) } : {}),
              })),
            }
          : {}),
      })),
      "api:hasRevision": { "@type": `${XSD}positiveInteger`, "@value": String(row.revision) },
      "api:notifyRequestStatusChange": row.notify,
    },
  });
}
