/**
 * Typed client of the hub's ONE Record API. It speaks JSON-LD, signs every write with the
 * organisation's key (the `Cargoproof-Record` header, sdk/one-record/signed-write.ts) and reuses a
 * HubClient for authentication. Reads can be verified against the chain with the signed record and
 * proof each revision links to.
 */
import { randomUUID } from "node:crypto";
import { HubClient, HubError } from "../client";
import { ProblemSchema, StoredRecordSchema, type StoredRecord } from "../api";
import type { AnchorProof, SignedRecord } from "../envelope";
import type { JsonObject } from "./jsonld";
import { bodyOfObject } from "./jsonld";
import { formatQueryDateTime } from "./date-time";
import { SIGNED_WRITE_HEADER, signObject } from "./signed-write";
// Change requests, action requests, the audit trail and access delegations.
import { prepareRecord } from "../digest";
import { signRecord } from "../signature";
import { ChangeError, applyChange, changeOfJsonLd, changeRequestBodyOf } from "./change";
import { recordIdOfIri } from "./jsonld";
import { encodeSignedWrite } from "./signed-write";
import { API } from "./vocabulary";

export const LD_JSON = "application/ld+json";

export interface OneRecordClientOptions {
  hub: HubClient;
  /** The organisation this client acts for, and its signing key (never sent anywhere). */
  orgId: string;
  privateKey: string;
}

/** One revision of an object as read. */
export interface ObjectRead {
  object: JsonObject;
  revision: number;
  latestRevision: number;
  /** The object's class IRI (the Type header). */
  type: string;
  lastModified: string;
}

export interface OneRecordResponse {
  status: number;
  headers: Headers;
  json: unknown;
}

export class OneRecordClient {
  readonly hub: HubClient;
  readonly orgId: string;
  private readonly privateKey: string;

  constructor(opts: OneRecordClientOptions) {
    this.hub = opts.hub;
    this.orgId = opts.orgId;
    this.privateKey = opts.privateKey;
  }

  /** The IRI of an object of this hub, from its record id (an IRI is returned unchanged). */
  objectIri(idOrIri: string): string {
    return idOrIri.includes("/") ? idOrIri : `${this.hub.baseUrl}/logistics-objects/${idOrIri}`;
  }

  /** The path of an object IRI (or record id) on this hub. */
  objectPath(idOrIri: string): string {
    const iri = this.objectIri(idOrIri);
    return iri.startsWith(this.hub.baseUrl) ? iri.slice(this.hub.baseUrl.length) : new URL(iri).pathname;
  }

  /** A party's IRI on this hub. */
  partyIri(orgId: string): string {
    return `${this.hub.baseUrl}/organizations/${orgId}`;
  }

  /** Low-level request: JSON-LD in and out; problems (api:Error bodies) thrown as HubError. */
  async request(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; auth?: boolean } = {}): Promise<OneRecordResponse> {
    const headers: Record<string, string> = { accept: LD_JSON, ...opts.headers };
    if (opts.body !== undefined) headers["content-type"] = LD_JSON;
    if (opts.auth !== false) headers.authorization = `Bearer ${await this.hub.accessToken()}`;
    const res = await fetch(this.hub.baseUrl + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (res.ok) return { status: res.status, headers: res.headers, json };
    const problem = ProblemSchema.safeParse(json);
    throw new HubError(res.status, problem.success ? problem.data : { type: "about:blank", title: res.statusText, status: res.status });
  }

  /** GET /: the server information. */
  async serverInformation(): Promise<JsonObject> {
    return (await this.request("GET", "/", { auth: false })).json as JsonObject;
  }

  /** Signs `object` as revision 1 of a new record and creates it; returns its IRI and the signed record. */
  async createObject(object: JsonObject, opts: { id?: string } = {}): Promise<{ iri: string; id: string; record: SignedRecord }> {
    const { record, header } = signObject(this.privateKey, this.orgId, object, { id: opts.id ?? randomUUID(), version: 1 });
    const res = await this.request("POST", "/logistics-objects", { body: object, headers: { [SIGNED_WRITE_HEADER]: header } });
    return { iri: res.headers.get("location") ?? this.objectIri(record.id), id: record.id, record };
  }

  /** One revision of an object: the latest, or the one current at `at`; `embedded` inlines the objects it references that you may read. */
  async getObject(idOrIri: string, opts: { at?: Date; embedded?: boolean } = {}): Promise<ObjectRead> {
    const query = new URLSearchParams();
    if (opts.at) query.set("at", formatQueryDateTime(opts.at));
    if (opts.embedded) query.set("embedded", "true");
    const qs = query.size > 0 ? `?${query}` : "";
    const res = await this.request("GET", this.objectPath(idOrIri) + qs);
    return {
      object: res.json as JsonObject,
      revision: Number(res.headers.get("revision")),
      latestRevision: Number(res.headers.get("latest-revision")),
      type: res.headers.get("type") ?? "",
      lastModified: res.headers.get("last-modified") ?? "",
    };
  }

  /**
   * A revision with what proves it: the signed record and its inclusion proof (once anchored), from
   * the hub (waiting up to `waitMs` for the revision to be anchored). Verify with sdk/verify.ts
   * against an RPC you trust.
   */
  async getObjectWithProof(idOrIri: string, opts: { at?: Date; waitMs?: number } = {}): Promise<ObjectRead & { stored: StoredRecord; proof: AnchorProof }> {
    const read = await this.getObject(idOrIri, opts);
    const path = this.objectPath(idOrIri);
    const id = path.slice(path.lastIndexOf("/") + 1);
    const proof = await this.hub.waitForProof(id, read.revision, opts.waitMs);
    const stored = await this.hub.call("GET", `/v1/records/${id}?version=${read.revision}`, StoredRecordSchema);
    return { ...read, stored, proof };
  }

  // Logistics events and subscriptions (docs/one-record.md, "Logistics events, subscriptions and notifications").
  /** The path on this hub of an IRI of this hub (an object, an event, a subscription). */
  private pathOf(iri: string): string {
    return iri.startsWith(this.hub.baseUrl) ? iri.slice(this.hub.baseUrl.length) : new URL(iri).pathname;
  }

  /**
   * Appends a LogisticsEvent to an object, signed by you. `cargo:eventFor` naming the object is added
   * when the event has none: it is part of what is signed. Returns the event's IRI and signed record.
   */
  async appendEvent(objectIri: string, event: JsonObject, opts: { id?: string } = {}): Promise<{ iri: string; id: string; record: SignedRecord }> {
    const iri = this.objectIri(objectIri);
    const body: JsonObject =
      bodyOfObject(event).body.eventFor === undefined ? { ...event, "https://onerecord.iata.org/ns/cargo#eventFor": { "@id": iri } } : event;
    const { record, header } = signObject(this.privateKey, this.orgId, body, { id: opts.id ?? randomUUID(), version: 1 });
    const res = await this.request("POST", `${this.objectPath(iri)}/logistics-events`, { body, headers: { [SIGNED_WRITE_HEADER]: header } });
    return { iri: res.headers.get("location") ?? `${iri}/logistics-events/${record.id}`, id: record.id, record };
  }

  /** The object's events (an api:Collection), filtered by status codes and creation time; `totalItems` counts every match. */
  async events(
    objectIri: string,
    opts: { eventCodes?: string[]; createdAfter?: Date; createdBefore?: Date; limit?: number; skip?: number } = {},
  ): Promise<{ totalItems: number; events: JsonObject[]; collection: JsonObject }> {
    const query = new URLSearchParams();
    for (const code of opts.eventCodes ?? []) query.append("event-code", code);
    if (opts.createdAfter) query.set("created-after", formatQueryDateTime(opts.createdAfter));
    if (opts.createdBefore) query.set("created-before", formatQueryDateTime(opts.createdBefore));
    if (opts.limit !== undefined) query.set("limit", String(opts.limit));
    if (opts.skip !== undefined) query.set("skip", String(opts.skip));
    const qs = query.size > 0 ? `?${query}` : "";
    const collection = (await this.request("GET", `${this.objectPath(objectIri)}/logistics-events${qs}`)).json as JsonObject;
    const items = collection["api:hasItem"];
    const events = (Array.isArray(items) ? items : items === undefined ? [] : [items]) as JsonObject[];
    return { totalItems: Number(collection["api:hasTotalItems"]), events, collection };
  }

  /** One event by its IRI. */
  async event(iri: string): Promise<{ event: JsonObject; type: string; lastModified: string }> {
    const res = await this.request("GET", this.pathOf(iri));
    return { event: res.json as JsonObject, type: res.headers.get("type") ?? "", lastModified: res.headers.get("last-modified") ?? "" };
  }

  /**
   * Subscribes (an api:Subscription or api:SubscriptionRequest whose hasSubscriber is your party IRI).
   * With `callbackUrl` the hub POSTs each notification there as an api:Notification, signed with the
   * secret (yours, or one the hub generates and returns here once: verify with sdk/webhook.ts).
   */
  async subscribe(subscription: JsonObject, opts: { callbackUrl?: string; secret?: string } = {}): Promise<{ iri: string; id: string; secret?: string }> {
    const headers: Record<string, string> = {};
    if (opts.callbackUrl) headers["Cargoproof-Callback"] = opts.callbackUrl;
    if (opts.secret) headers["Cargoproof-Callback-Secret"] = opts.secret;
    const res = await this.request("POST", "/subscriptions", { body: subscription, headers });
    const iri = res.headers.get("location") ?? "";
    const secret = res.headers.get("cargoproof-callback-secret");
    return { iri, id: iri.slice(iri.lastIndexOf("/") + 1), ...(secret ? { secret } : {}) };
  }

  /** Your subscriptions to a topic (topic type api:LOGISTICS_OBJECT_IDENTIFIER or api:LOGISTICS_OBJECT_TYPE, IRI or local name). */
  async subscriptionInformation(topicType: string, topic: string): Promise<JsonObject[]> {
    const json = (await this.request("GET", `/subscriptions?${new URLSearchParams({ topicType, topic })}`)).json as JsonObject;
    if (json["@type"] !== "api:Collection") return [json];
    const items = json["api:hasItem"];
    return (Array.isArray(items) ? items : [items]) as JsonObject[];
  }

  /** Ends a subscription (its delivery log and dead letters go with it). */
  async unsubscribe(iri: string): Promise<void> {
    await this.request("DELETE", this.pathOf(iri));
  }

  // --- Change requests, action requests, the audit trail and access delegations (docs/one-record.md) ---

  /**
   * Requests a change of an object you may read: `change` is an api:Change in JSON-LD naming the
   * object and the latest revision. You sign it as a ChangeRequest record (its id is the action
   * request's id). Returns the action request's IRI and the signed record.
   */
  async requestChange(objectIri: string, change: JsonObject, opts: { id?: string } = {}): Promise<{ iri: string; id: string; record: SignedRecord }> {
    const body = changeRequestBodyOf(changeOfJsonLd(change));
    const record = signRecord(
      this.privateKey,
      prepareRecord({ type: "ChangeRequest", id: opts.id ?? randomUUID(), version: 1, owner: this.orgId }, { ...body }),
    );
    const header = encodeSignedWrite({ id: record.id, version: record.version, salts: record.salts, signature: record.signature });
    const res = await this.request("PATCH", this.objectPath(objectIri), { body: change, headers: { [SIGNED_WRITE_HEADER]: header } });
    return { iri: res.headers.get("location") ?? `${this.hub.baseUrl}/action-requests/${record.id}`, id: record.id, record };
  }

  /** An action request (api:ChangeRequest or api:AccessDelegationRequest) by its IRI. */
  async actionRequest(iri: string): Promise<{ request: JsonObject; type: string; lastModified: string }> {
    const res = await this.request("GET", this.pathOf(iri));
    return { request: res.json as JsonObject, type: res.headers.get("type") ?? "", lastModified: res.headers.get("last-modified") ?? "" };
  }

  /**
   * Accepts a change request on an object you hold: applies the change to the latest revision's
   * record (sdk/one-record/change.ts, the code the hub checks with) and signs the result as the next
   * revision. A change that no longer applies is sent without a signature: the hub then sets the
   * request FAILED and answers 422, thrown as a HubError. On an object the hub attested for you (a
   * plain ONE Record client's: the record is the operator's), the hub signs the next revision: it
   * is sent without a signature and the revision the hub stored is returned.
   */
  async acceptChange(actionRequestIri: string): Promise<{ revision: number; record: SignedRecord }> {
    const { request } = await this.actionRequest(actionRequestIri);
    const change = changeOfJsonLd({ "@context": request["@context"] ?? null, ...(request["api:hasChange"] as JsonObject) });
    const id = recordIdOfIri(change.object);
    const stored = await this.hub.call("GET", `/v1/records/${encodeURIComponent(id)}`, StoredRecordSchema);
    const status = encodeURIComponent(`${API}REQUEST_ACCEPTED`);
    if (stored.record.owner !== this.orgId) {
      await this.request("PATCH", `${this.pathOf(actionRequestIri)}?status=${status}`);
      const next = await this.hub.call("GET", `/v1/records/${encodeURIComponent(id)}?version=${change.revision + 1}`, StoredRecordSchema);
      return { revision: next.record.version, record: next.record };
    }
    let signed: { record: SignedRecord; header: string } | undefined;
    if (stored.record.version === change.revision) {
      try {
        const next = applyChange(stored.record.body as JsonObject, change, change.object);
        signed = signObject(this.privateKey, this.orgId, next, { id, version: change.revision + 1, derived: true });
      } catch (err) {
        if (!(err instanceof ChangeError)) throw err;
      }
    }
    await this.request("PATCH", `${this.pathOf(actionRequestIri)}?status=${status}`, { headers: signed ? { [SIGNED_WRITE_HEADER]: signed.header } : {} });
    if (!signed) throw new Error("unreachable: the hub accepted a change that does not apply");
    return { revision: signed.record.version, record: signed.record };
  }

  /** The data holder rejects a PENDING action request. */
  async rejectActionRequest(iri: string): Promise<void> {
    await this.request("PATCH", `${this.pathOf(iri)}?status=${encodeURIComponent(`${API}REQUEST_REJECTED`)}`);
  }

  /** The requester withdraws its PENDING action request (an owner also revokes an access delegation it granted). */
  async revokeActionRequest(iri: string): Promise<void> {
    await this.request("DELETE", this.pathOf(iri));
  }

  /** The change requests of an object as you may see them (api:AuditTrail), with its latest revision. */
  async auditTrail(
    objectIri: string,
    opts: { updatedFrom?: Date; updatedTo?: Date; status?: "PENDING" | "ACCEPTED" | "REJECTED" | "FAILED" | "REVOKED" } = {},
  ): Promise<{ latestRevision: number; requests: JsonObject[]; trail: JsonObject }> {
    const query = new URLSearchParams();
    if (opts.updatedFrom) query.set("updatedFrom", formatQueryDateTime(opts.updatedFrom));
    if (opts.updatedTo) query.set("updatedTo", formatQueryDateTime(opts.updatedTo));
    if (opts.status) query.set("status", opts.status);
    const qs = query.size > 0 ? `?${query}` : "";
    const trail = (await this.request("GET", `${this.objectPath(objectIri)}/audit-trail${qs}`)).json as JsonObject;
    const latest = trail["api:hasLatestRevision"] as { "@value": string };
    const requests = trail["api:hasActionRequest"];
    return {
      latestRevision: Number(latest["@value"]),
      requests: (Array.isArray(requests) ? requests : requests === undefined ? [] : [requests]) as JsonObject[],
      trail,
    };
  }

  /**
   * Requests an access delegation (api:AccessDelegation: objects, the parties to read them, permissions).
   * The hub makes one action request per party: `iris` in the order of api:isRequestedFor.
   */
  async requestAccessDelegation(delegation: JsonObject): Promise<{ iri: string; iris: string[] }> {
    const res = await this.request("POST", "/access-delegations", { body: delegation });
    const iri = res.headers.get("location") ?? "";
    const links = [...(res.headers.get("link") ?? "").matchAll(/<([^>]+)>/g)].map((m) => m[1]!);
    return { iri, iris: links.length > 0 ? links : [iri] };
  }
}
