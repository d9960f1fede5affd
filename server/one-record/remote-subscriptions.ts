/**
 * ONE Record server to server (issue 15): the hub subscribes, for a member organisation, to a
 * logistics object on another ONE Record server, and keeps an anchored copy of it. ONE Record is one
 * server per party; the member's party on the other server is its own there (its party IRI and a
 * bearer token it holds there), and this hub speaks only that server's ONE Record API with it:
 * GET the object, POST an api:Subscription to its /subscriptions with this hub's /notifications as
 * callback (the Cargoproof-Callback headers of a cargoproof hub, server/one-record/subscriptions.ts).
 * Every notification that arrives (inbound-notifications.ts) makes the hub GET the object again; a
 * new revision becomes the next version of the copy, a RemoteObjectCopy record the hub attests for
 * the member (HubPublisher.attestFor): signed, anchored, readable by the member alone (its holder).
 *
 * Outbound calls go through the webhook URL guard (checked when subscribing, and every connection
 * through publicOnlyLookup): a private address only with WEBHOOK_ALLOW_PRIVATE.
 */
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Router, type Request, type RequestHandler } from "express";
import { z } from "zod";
import { API_SCHEMAS, apiClassOf, apiObjectOf } from "../../sdk/one-record/api-objects";
import { JsonLdFormError, type Json, type JsonObject } from "../../sdk/one-record/jsonld";
import { API } from "../../sdk/one-record/vocabulary";
import type { SignedRecord } from "../../sdk/envelope";
import { writeTransaction, type Db, type DbProvider } from "../db/client";
import { asDate, asNumber, execute, query } from "../db/sql";
import { HttpProblem, badRequest, notFound } from "../http/problem";
import type { HubPublisher } from "../records/hub-publisher";
import { outboundCall } from "../notifications/post";
import { generateWebhookSecret } from "../notifications/signature";
import { WebhookUrlError, checkWebhookUrl } from "../notifications/url-guard";
import { callerOf } from "../auth/caller";
import { CALLBACK_HEADER, CALLBACK_SECRET_HEADER } from "./subscriptions";
import type { OneRecordIris } from "./iris";

/** The member's bearer token for the other server, given when it asks the hub to subscribe. */
export const REMOTE_AUTHORIZATION_HEADER = "Cargoproof-Remote-Authorization";
const LD_JSON = "application/ld+json";
const REMOTE_TIMEOUT_MS = 10_000;
/** The most of a remote answer read (an object, an error): the hub's own request limit. */
const MAX_ANSWER_BYTES = 5 * 1024 * 1024;
const MAX_PER_ORG = 100;

export interface RemoteDeps {
  db: Db;
  provider: DbProvider;
  hub: HubPublisher;
  iris: OneRecordIris;
  allowPrivate: boolean;
}

export interface RemoteSubscriptionRow {
  id: string;
  orgId: string;
  topic: string;
  subscriber: string;
  remoteToken: string;
  secret: string;
  remoteSubscription: string | null;
  copyId: string;
  copyRevision: number;
  createdAt: Date;
}

function rowOf(r: Record<string, unknown>): RemoteSubscriptionRow {
  return {
    id: String(r.id),
    orgId: String(r.orgId),
    topic: String(r.topic),
    subscriber: String(r.subscriber),
    remoteToken: String(r.remoteToken),
    secret: String(r.secret),
    remoteSubscription: r.remoteSubscription == null ? null : String(r.remoteSubscription),
    copyId: String(r.copyId),
    copyRevision: asNumber(r.copyRevision),
    createdAt: asDate(r.createdAt)!,
  };
}

export async function remoteSubscriptionById(db: Db, provider: DbProvider, id: string): Promise<RemoteSubscriptionRow | undefined> {
  const [row] = await query<Record<string, unknown>>(db, provider, `SELECT * FROM "RemoteSubscription" WHERE "id" = $1`, [id]);
  return row ? rowOf(row) : undefined;
}

/** The caller's own remote subscription; 404 for anyone else's, exactly as for none. */
export async function ownRemoteSubscription(db: Db, provider: DbProvider, orgId: string, id: string): Promise<RemoteSubscriptionRow> {
  const row = z.uuid().safeParse(id).success ? await remoteSubscriptionById(db, provider, id) : undefined;
  if (!row || row.orgId !== orgId) throw notFound();
  return row;
}

export async function remoteSubscriptionsOf(db: Db, provider: DbProvider, orgId: string): Promise<RemoteSubscriptionRow[]> {
  const rows = await query<Record<string, unknown>>(db, provider, `SELECT * FROM "RemoteSubscription" WHERE "orgId" = $1 ORDER BY "createdAt", "id"`, [orgId]);
  return rows.map(rowOf);
}

/** The notifications a remote subscription received, oldest first, as received. */
export async function notificationsOf(deps: Pick<RemoteDeps, "db" | "provider">, subscriptionId: string): Promise<RemoteNotificationView[]> {
  const rows = await query<Record<string, unknown>>(
    deps.db,
    deps.provider,
    `SELECT * FROM "RemoteNotification" WHERE "subscriptionId" = $1 ORDER BY "receivedAt", "id" LIMIT 1000`,
    [subscriptionId],
  );
  return rows.map((r) => ({
    eventType: String(r.eventType),
    logisticsObject: String(r.objectIri),
    receivedAt: asDate(r.receivedAt)!.toISOString(),
    copyVersion: r.copyVersion == null ? null : asNumber(r.copyVersion),
    error: r.error == null ? null : String(r.error),
    notification: JSON.parse(String(r.body)) as JsonObject,
  }));
}

/** What the member sees of a remote subscription (never the token nor the secret). */
export const RemoteSubscriptionView = z.object({
  id: z.uuid(),
  self: z.string().describe("This remote subscription on this hub."),
  topic: z.string().describe("The object's IRI on the other server."),
  subscriber: z.string().describe("The member's party IRI on the other server."),
  remoteSubscription: z.string().nullable().describe("The subscription's IRI on the other server (its Location)."),
  copy: z.object({
    recordId: z.uuid().describe("The RemoteObjectCopy record, readable by the member alone."),
    revision: z.number().int().describe("The remote revision its latest version holds."),
    record: z.string(),
  }),
  createdAt: z.string(),
});
export type RemoteSubscriptionView = z.infer<typeof RemoteSubscriptionView>;
export const RemoteNotificationView = z.object({
  eventType: z.string(),
  logisticsObject: z.string(),
  receivedAt: z.string(),
  copyVersion: z.number().int().nullable().describe("The copy's version this notification made, if it brought a new revision."),
  error: z.string().nullable().describe("Why the object could not be fetched after it, if it could not."),
  notification: z.record(z.string(), z.unknown()).describe("The api:Notification as received."),
});
export type RemoteNotificationView = z.infer<typeof RemoteNotificationView>;

export function remoteSubscriptionView(iris: OneRecordIris, s: RemoteSubscriptionRow): RemoteSubscriptionView {
  return {
    id: s.id,
    self: `${iris.base}/remote-subscriptions/${s.id}`,
    topic: s.topic,
    subscriber: s.subscriber,
    remoteSubscription: s.remoteSubscription,
    copy: { recordId: s.copyId, revision: s.copyRevision, record: `${iris.base}/v1/records/${s.copyId}` },
    createdAt: s.createdAt.toISOString(),
  };
}

// ---- Outbound ONE Record calls -------------------------------------------------------------

export interface RemoteAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * One call to another ONE Record server (the hub's one guarded outbound call: no redirects, public
 * addresses only unless private targets are allowed), at most MAX_ANSWER_BYTES read, bounded by
 * REMOTE_TIMEOUT_MS. Undefined when no answer came (refused, unreachable, too large, too slow).
 */
export async function remoteCall(
  url: string,
  method: "GET" | "POST" | "DELETE",
  headers: Record<string, string>,
  allowPrivate: boolean,
  body?: string,
): Promise<RemoteAnswer | undefined> {
  const answer = await outboundCall(url, {
    method,
    headers: { "user-agent": "cargoproof-one-record/1", ...headers },
    ...(body !== undefined ? { body } : {}),
    timeoutMs: REMOTE_TIMEOUT_MS,
    allowPrivate,
    maxAnswerBytes: MAX_ANSWER_BYTES,
  });
  return answer.text !== undefined && answer.statusCode !== undefined && answer.headers
    ? { status: answer.statusCode, headers: answer.headers, text: answer.text }
    : undefined;
}

const unavailable = (detail: string) => new HttpProblem(502, "remote-server-unavailable", "Bad Gateway", detail);
/** The remote's refusal and its "no such object" look alike to the member, as they do on this hub. */
const remoteNotFound = () =>
  new HttpProblem(
    404,
    "remote-object-not-found",
    "Logistics Object not found",
    "The other server did not give this object: it does not exist there, or your token there may not read it.",
  );

/** A remote revision: the Revision header, else api:hasRevision of the body. */
function revisionOf(answer: RemoteAnswer, json: JsonObject): number | undefined {
  const header = Array.isArray(answer.headers.revision) ? answer.headers.revision[0] : answer.headers.revision;
  const raw: Json | undefined = header ?? json["api:hasRevision"] ?? json[`${API}hasRevision`];
  const value = raw !== null && typeof raw === "object" && !Array.isArray(raw) ? raw["@value"] : raw;
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** GET a logistics object from its server, with the member's token there: its JSON-LD as received and its revision. */
export async function fetchRemoteObject(deps: Pick<RemoteDeps, "allowPrivate">, iri: string, token: string): Promise<{ object: JsonObject; revision: number }> {
  const answer = await remoteCall(iri, "GET", { accept: LD_JSON, authorization: `Bearer ${token}` }, deps.allowPrivate);
  if (!answer) throw unavailable("The other server did not answer.");
  if ([401, 403, 404].includes(answer.status)) throw remoteNotFound();
  if (answer.status !== 200) throw unavailable(`The other server answered ${answer.status}.`);
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    throw unavailable("The other server's answer is not JSON-LD.");
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw unavailable("The other server's answer is not a JSON-LD object.");
  const revision = revisionOf(answer, json as JsonObject);
  if (revision === undefined) throw unavailable("The other server's answer names no revision (Revision header or api:hasRevision).");
  return { object: json as JsonObject, revision };
}

// ---- The member's ask --------------------------------------------------------------------------

const invalid = (message: string, property: string, detail = message) => badRequest("invalid-subscription", detail, [{ path: property, message }]);
const idOf = (v: Json | undefined): string | undefined =>
  typeof v === "string"
    ? v
    : v !== null && typeof v === "object" && !Array.isArray(v)
      ? typeof v["@id"] === "string"
        ? v["@id"]
        : typeof v["@value"] === "string"
          ? v["@value"]
          : undefined
      : undefined;
const Token = z.string().regex(/^Bearer [\x21-\x7e]{1,4096}$/, "Bearer <token>");

/** The ONE Record base of an object IRI (what precedes /logistics-objects/{id}), or undefined. */
export function serverOf(iri: string): string | undefined {
  const m = /^(https?:\/\/[^?#]*?)\/logistics-objects\/[^/?#]+$/.exec(iri);
  return m?.[1];
}

interface RemoteAsk {
  topic: string;
  subscriber: string;
  token: string;
  subscription: JsonObject;
}

/** The api:Subscription (LOGISTICS_OBJECT_IDENTIFIER) a member posts, and its token for the other server; 400 naming what is wrong. */
async function remoteAskOf(deps: RemoteDeps, req: Request): Promise<RemoteAsk> {
  let node: JsonObject;
  try {
    node = apiObjectOf(req.body);
  } catch (err) {
    if (err instanceof JsonLdFormError) throw invalid(err.message, err.path);
    throw err;
  }
  if (apiClassOf(node) !== "Subscription") throw invalid("expected api:Subscription", "@type", "The body is the api:Subscription to make on the other server.");
  const parsed = API_SCHEMAS.Subscription.safeParse(node);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? "");
    throw invalid(issue.message, key.startsWith("@") || key.includes(":") ? key : `${API}${key}`, `The subscription is not valid: ${issue.message}.`);
  }
  if (!parsed.data.hasTopicType["@id"].endsWith("LOGISTICS_OBJECT_IDENTIFIER"))
    throw invalid(
      "only LOGISTICS_OBJECT_IDENTIFIER",
      `${API}hasTopicType`,
      "The hub subscribes to one logistics object of another server (topic type LOGISTICS_OBJECT_IDENTIFIER).",
    );
  const topic = idOf(node.hasTopic as Json);
  const base = topic === undefined ? undefined : serverOf(topic);
  if (topic === undefined || base === undefined || topic.length > 2048)
    throw invalid(
      "not a logistics object IRI",
      `${API}hasTopic`,
      "The topic is the IRI of a logistics object on another ONE Record server ({server}/logistics-objects/{id}).",
    );
  if (deps.iris.recordIdOf(topic) !== undefined || base === deps.iris.base)
    throw invalid("an object of this hub", `${API}hasTopic`, "The object is on this hub: subscribe to it with POST /subscriptions.");
  const subscriber = parsed.data.hasSubscriber["@id"];
  if (subscriber === undefined || !/^https?:\/\/\S{1,2048}$/.test(subscriber))
    throw invalid("not an IRI", `${API}hasSubscriber`, "hasSubscriber is your party's IRI on the other server.");
  const auth = Token.safeParse(req.get(REMOTE_AUTHORIZATION_HEADER) ?? "");
  if (!auth.success)
    throw badRequest(
      "remote-authorization-required",
      `The ${REMOTE_AUTHORIZATION_HEADER} header carries your bearer token for the other server: Bearer <token>.`,
      [{ path: REMOTE_AUTHORIZATION_HEADER, message: "missing or malformed" }],
    );
  try {
    await checkWebhookUrl(topic, deps.allowPrivate);
  } catch (err) {
    if (!(err instanceof WebhookUrlError)) throw err;
    throw badRequest("remote-url-refused", `The object's server ${err.message}.`, [{ path: `${API}hasTopic`, message: err.message }]);
  }
  return { topic, subscriber, token: auth.data.slice("Bearer ".length), subscription: req.body as JsonObject };
}

// ---- The anchored copy ---------------------------------------------------------------------

/** One revision of the remote object as version `version` of the member's copy (attested for it). */
function attestCopy(
  deps: RemoteDeps,
  orgId: string,
  copyId: string,
  version: number,
  topic: string,
  fetched: { object: JsonObject; revision: number },
): Promise<SignedRecord[]> {
  return deps.hub.attestFor(orgId, [
    {
      type: "RemoteObjectCopy",
      id: copyId,
      version,
      body: { sourceIri: topic, revision: fetched.revision, receivedAt: new Date().toISOString(), object: fetched.object },
    },
  ]);
}

/** Per remote subscription, one update of its copy at a time (in this process; across processes the version's uniqueness decides). */
const running = new Map<string, Promise<unknown>>();
export function serially<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = running.get(key) ?? Promise.resolve();
  const next = before.then(work, work);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  running.set(key, settled);
  void settled.then(() => {
    if (running.get(key) === settled) running.delete(key);
  });
  return next;
}

/**
 * After a notification: GET the object again; a newer revision than the copy holds becomes the
 * copy's next version. Returns that version, or undefined when the copy already held it.
 */
export function refreshCopy(deps: RemoteDeps, sub: RemoteSubscriptionRow): Promise<number | undefined> {
  return serially(sub.id, async () => {
    const current = await remoteSubscriptionById(deps.db, deps.provider, sub.id);
    // Ended (unsubscribed) while the notification was being taken in: the copy stays as it is.
    if (!current) return undefined;
    const fetched = await fetchRemoteObject(deps, current.topic, current.remoteToken);
    if (fetched.revision <= current.copyRevision) return undefined;
    const header = await deps.db.record.findUnique({ where: { id: current.copyId }, select: { latestVersion: true } });
    const version = (header?.latestVersion ?? 0) + 1;
    await attestCopy(deps, current.orgId, current.copyId, version, current.topic, fetched);
    await execute(deps.db, deps.provider, `UPDATE "RemoteSubscription" SET "copyRevision" = $1 WHERE "id" = $2`, [fetched.revision, current.id]);
    return version;
  });
}

/**
 * POST /remote-subscriptions: GET the object (its first copy), subscribe on the other server with
 * this hub's /notifications as callback, attest the copy. Nothing is kept when the other server
 * refuses (the copy is attested only once the subscription stands).
 */
export async function subscribeRemote(deps: RemoteDeps, orgId: string, req: Request): Promise<RemoteSubscriptionRow> {
  const ask = await remoteAskOf(deps, req);
  const [count] = await query<{ n: unknown }>(deps.db, deps.provider, `SELECT COUNT(*) AS "n" FROM "RemoteSubscription" WHERE "orgId" = $1`, [orgId]);
  if (asNumber(count?.n ?? 0) >= MAX_PER_ORG)
    throw new HttpProblem(409, "too-many-remote-subscriptions", "Conflict", `An organisation holds at most ${MAX_PER_ORG} remote subscriptions.`);
  const fetched = await fetchRemoteObject(deps, ask.topic, ask.token);
  const row: RemoteSubscriptionRow = {
    id: randomUUID(),
    orgId,
    topic: ask.topic,
    subscriber: ask.subscriber,
    remoteToken: ask.token,
    secret: generateWebhookSecret(),
    remoteSubscription: null,
    copyId: randomUUID(),
    copyRevision: fetched.revision,
    createdAt: new Date(),
  };
  // Stored first: the other server may notify as soon as it accepted.
  await execute(
    deps.db,
    deps.provider,
    `INSERT INTO "RemoteSubscription" ("id", "orgId", "topic", "subscriber", "remoteToken", "secret", "remoteSubscription", "copyId", "copyRevision", "createdAt") VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9)`,
    [row.id, orgId, row.topic, row.subscriber, row.remoteToken, row.secret, row.copyId, row.copyRevision, row.createdAt],
  );
  const forget = () => execute(deps.db, deps.provider, `DELETE FROM "RemoteSubscription" WHERE "id" = $1`, [row.id]);
  return serially(row.id, async () => {
    try {
      const answer = await remoteCall(
        `${serverOf(ask.topic)}/subscriptions`,
        "POST",
        {
          "content-type": LD_JSON,
          accept: LD_JSON,
          authorization: `Bearer ${ask.token}`,
          [CALLBACK_HEADER]: `${deps.iris.base}/notifications?subscription=${row.id}`,
          [CALLBACK_SECRET_HEADER]: row.secret,
        },
        deps.allowPrivate,
        JSON.stringify(ask.subscription),
      );
      if (!answer) throw unavailable("The other server did not answer the subscription.");
      if ([401, 403, 404].includes(answer.status)) throw remoteNotFound();
      if (answer.status === 400) throw badRequest("remote-refused-subscription", "The other server refused the subscription as invalid.");
      if (answer.status !== 201) throw unavailable(`The other server answered the subscription with ${answer.status}.`);
      const location = typeof answer.headers.location === "string" ? answer.headers.location.slice(0, 2048) : null;
      await attestCopy(deps, orgId, row.copyId, 1, row.topic, fetched);
      await execute(deps.db, deps.provider, `UPDATE "RemoteSubscription" SET "remoteSubscription" = $1 WHERE "id" = $2`, [location, row.id]);
      return { ...row, remoteSubscription: location };
    } catch (err) {
      await forget();
      throw err;
    }
  });
}

/** What ending a remote subscription did on the other server. */
export const RemoteUnsubscribeView = z.object({
  id: z.uuid(),
  ended: z.literal(true).describe("Ended on this hub: its notifications are refused (401) and store nothing from now on."),
  remoteSubscription: z.string().nullable(),
  remote: z
    .enum(["revoked", "not-found", "refused", "unavailable", "not-asked"])
    .describe(
      "What the other server answered the DELETE of the subscription's IRI: revoked (2xx), not-found (404/410: already gone), refused (another answer), unavailable (no answer), not-asked (it gave no IRI on this server's base).",
    ),
});
export type RemoteUnsubscribeView = z.infer<typeof RemoteUnsubscribeView>;

/**
 * DELETE /remote-subscriptions/{id}: ends the subscription here first (its row, its secret and the
 * notifications it received go: a later notification is the 401 of an unknown subscription), then
 * asks the other server to end it too, by DELETE of the IRI it gave the subscription (the ONE Record
 * revokeActionRequest of a SubscriptionRequest, a cargoproof hub's DELETE /subscriptions/{id}), with
 * the member's token there. Ending here does not wait on the other server: whatever it answers, this
 * hub takes no more of its notifications. The anchored copy (a signed record) stays.
 */
export async function unsubscribeRemote(deps: RemoteDeps, orgId: string, id: string): Promise<RemoteUnsubscribeView> {
  const sub = await ownRemoteSubscription(deps.db, deps.provider, orgId, id);
  await serially(sub.id, () =>
    writeTransaction(deps.db, async (tx) => {
      await execute(tx, deps.provider, `DELETE FROM "RemoteNotification" WHERE "subscriptionId" = $1`, [sub.id]);
      await execute(tx, deps.provider, `DELETE FROM "RemoteSubscription" WHERE "id" = $1`, [sub.id]);
    }),
  );
  const base = serverOf(sub.topic);
  // Only the server subscribed on is called, and only at an IRI under its base.
  const target = sub.remoteSubscription !== null && base !== undefined && sub.remoteSubscription.startsWith(`${base}/`) ? sub.remoteSubscription : undefined;
  let remote: RemoteUnsubscribeView["remote"] = "not-asked";
  if (target) {
    const answer = await remoteCall(target, "DELETE", { accept: LD_JSON, authorization: `Bearer ${sub.remoteToken}` }, deps.allowPrivate);
    remote = !answer
      ? "unavailable"
      : answer.status >= 200 && answer.status < 300
        ? "revoked"
        : answer.status === 404 || answer.status === 410
          ? "not-found"
          : "refused";
  }
  return { id: sub.id, ended: true, remoteSubscription: sub.remoteSubscription, remote };
}

/**
 * The member's API: POST /remote-subscriptions (an api:Subscription to make on the other server,
 * with REMOTE_AUTHORIZATION_HEADER), GET /remote-subscriptions (its own), GET /remote-subscriptions/{id}
 * GET /remote-subscriptions/{id}/notifications (what arrived, as received) and DELETE
 * /remote-subscriptions/{id} (unsubscribe, here and there). Its copies are records:
 * GET /v1/records/{copy.recordId}, readable by the member alone.
 */
export function remoteSubscriptionRoutes(deps: RemoteDeps & { auth: RequestHandler }): Router {
  const router = Router();
  router.post("/remote-subscriptions", deps.auth, async (req, res) => {
    const row = await subscribeRemote(deps, callerOf(req).orgId, req);
    const view = remoteSubscriptionView(deps.iris, row);
    res.status(201).location(view.self).json(view);
  });
  router.get("/remote-subscriptions", deps.auth, async (req, res) => {
    res.json({ subscriptions: (await remoteSubscriptionsOf(deps.db, deps.provider, callerOf(req).orgId)).map((s) => remoteSubscriptionView(deps.iris, s)) });
  });
  router.get("/remote-subscriptions/:id", deps.auth, async (req, res) => {
    res.json(remoteSubscriptionView(deps.iris, await ownRemoteSubscription(deps.db, deps.provider, callerOf(req).orgId, String(req.params.id))));
  });
  router.delete("/remote-subscriptions/:id", deps.auth, async (req, res) => {
    res.json(await unsubscribeRemote(deps, callerOf(req).orgId, String(req.params.id)));
  });
  router.get("/remote-subscriptions/:id/notifications", deps.auth, async (req, res) => {
    const sub = await ownRemoteSubscription(deps.db, deps.provider, callerOf(req).orgId, String(req.params.id));
    res.json({ notifications: await notificationsOf(deps, sub.id) });
  });
  return router;
}
