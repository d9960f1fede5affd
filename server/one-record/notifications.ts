/**
 * A feed entry as the ONE Record api:Notification a subscriber's webhook receives (the form of the
 * specification's Notification_example*.json): the event type, the object (a reference, or the
 * revision itself when the subscription asked for sendLogisticsObjectBody), its class, the changed
 * properties, the event (api:hasLogisticsEvent) or action request (api:isTriggeredBy) that caused it.
 */
import type { JsonObject } from "../../sdk/one-record/jsonld";
import { objectOfBody } from "../../sdk/one-record/jsonld";
import { CARGO, ONE_RECORD_CONTEXT } from "../../sdk/one-record/vocabulary";
import type { Db, DbProvider } from "../db/client";
import { query } from "../db/sql";
import { toView } from "../orgs/service";
import { disclosedAll, storedRecord } from "../records/service";
import type { WebhookFormat } from "../notifications/webhook-worker";
import { objectIdOf, type FeedItem } from "../notifications/subscriptions";
import type { OneRecordIris } from "./iris";

const ANY_URI = "xsd:anyURI";
const classIri = (t: string) => (t.includes(":") ? t : CARGO + t);

/** The api:Notification of a feed entry; `object` replaces the reference to the object when given (its JSON-LD, without @context). */
export function notificationJson(iris: OneRecordIris, n: Pick<FeedItem, "kind" | "recordId" | "detail">, object?: JsonObject): JsonObject {
  const detail = n.detail ?? {};
  const objectId = objectIdOf(n);
  const objectType = typeof detail.objectType === "string" ? classIri(detail.objectType) : undefined;
  const changed = Array.isArray(detail.changed) ? detail.changed.filter((c): c is string => typeof c === "string") : [];
  const objectRef: JsonObject = object ?? {
    ...(objectId ? { "@id": iris.object(objectId) } : {}),
    ...(objectType ? { "@type": objectType.startsWith(CARGO) ? `cargo:${objectType.slice(CARGO.length)}` : objectType } : {}),
  };
  return {
    "@context": { ...ONE_RECORD_CONTEXT },
    "@type": "api:Notification",
    "api:hasEventType": { "@id": `api:${n.kind}` },
    "api:hasLogisticsObject": objectRef,
    ...(objectType ? { "api:hasLogisticsObjectType": { "@type": ANY_URI, "@value": objectType } } : {}),
    ...(changed.length > 0 ? { "api:hasChangedProperty": changed.map((p) => ({ "@type": ANY_URI, "@value": p })) } : {}),
    ...(typeof detail.event === "string" ? { "api:hasLogisticsEvent": { "@id": detail.event } } : {}),
    ...(typeof detail.actionRequest === "string" ? { "api:isTriggeredBy": { "@id": detail.actionRequest } } : {}),
  };
}

/**
 * The webhook format of ONE Record subscriptions (WebhookWorker `formats["one-record"]`). With
 * sendLogisticsObjectBody the revision the entry is about (the latest for an event) is embedded, as
 * the subscriber may see it (disclosed: a field-level grant shows only its fields); one it may no
 * longer read stays a reference.
 */
export function oneRecordWebhookFormat(db: Db, provider: DbProvider, iris: OneRecordIris): WebhookFormat {
  return async (sub, n) => {
    let object: JsonObject | undefined;
    const objectId = objectIdOf(n);
    if (sub.options?.sendLogisticsObjectBody === true && objectId) {
      const COLUMNS = `v."recordId", v."version", v."type", v."owner", v."body", v."salts", v."digest", v."signature"`;
      const [row] = await query<Parameters<typeof storedRecord>[0]>(
        db,
        provider,
        n.version !== null && objectId === n.recordId
          ? `SELECT ${COLUMNS} FROM "RecordVersion" v WHERE v."recordId" = $1 AND v."version" = $2`
          : `SELECT ${COLUMNS} FROM "RecordVersion" v JOIN "Record" r ON r."id" = v."recordId" AND r."latestVersion" = v."version" WHERE v."recordId" = $1`,
        n.version !== null && objectId === n.recordId ? [objectId, n.version] : [objectId],
      );
      const org = row ? await db.organization.findUnique({ where: { id: sub.orgId } }) : null;
      const record =
        row && org
          ? (await disclosedAll(db, { orgId: sub.orgId, roles: toView(org).roles }, [storedRecord({ ...row, version: Number(row.version) })])).get(objectId)
          : undefined;
      if (record) {
        const body = record.body as JsonObject;
        const { "@context": _ctx, ...node } = objectOfBody(String(body.objectType), body, iris.object(objectId));
        object = node;
      }
    }
    return { contentType: "application/ld+json", body: JSON.stringify(notificationJson(iris, n, object)) };
  };
}
