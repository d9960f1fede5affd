import { CebContextSchema, CebDirectorySchema, CebMessageError, cebDrafts, readCebDeclaration, type CebContext, type CebDirectory } from "./ceb";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  CredentialViewSchema,
  type CredentialGrantInput,
  type CredentialView,
  ChainInfoSchema,
  CustomsCasePageSchema,
  CustomsCasePictureSchema,
  CustomsStatisticsSchema,
  NotificationPageSchema,
  SummaryDraftSchema,
  QuotaCheckSchema,
  type QuotaCheck,
  type QuotaCheckRequest,
  type CustomsCasePage,
  type CustomsCasePicture,
  type CustomsCaseQuery,
  type CustomsStatistics,
  type CustomsStatisticsQuery,
  type SummaryDraft,
  type SummaryDraftQuery,
  GrantViewSchema,
  AccessRequestListSchema,
  AccessRequestViewSchema,
  type AccessRequestStatus,
  type AccessRequestView,
  type CreateAccessRequest,
  type GrantScope,
  OrganizationPageSchema,
  OrganizationViewSchema,
  ProblemSchema,
  PublishedBatchSchema,
  PublishedSchema,
  StoredRecordSchema,
  TokenResponseSchema,
  type AdmitOrganization,
  type ChainInfo,
  type GrantView,
  type OrganizationPage,
  type OrganizationView,
  type Problem,
  type Published,
  type StoredRecord,
  CreatedSubscriptionSchema,
  DeadLetterListSchema,
  DeliveryPageSchema,
  NotificationSchema,
  RedeliveryResultSchema,
  SubscriptionListSchema,
  SubscriptionViewSchema,
  type CreateSubscription,
  type DeadLetter,
  type Notification,
  type RedeliveryResult,
  type SubscriptionView,
} from "./api";
import { CLIENT_ASSERTION_TYPE, createClientAssertion } from "./assertion";
import { AnchorProofSchema, type AnchorProof, type SignedRecord } from "./envelope";
import { prepareRecord } from "./digest";
import { signRecord } from "./signature";
import { VerdictSchema, type Verdict } from "./verify";
import { ProductStorySchema, type ProductStory } from "./provenance/story";
import type { RecordBody, RecordType } from "./records";
import { CaptureJobSchema, EpcisQueryResultSchema, epcisQueryString, type CaptureJob, type EpcisQueryParams, type EpcisQueryResult } from "./epcis/api";
import { capturedDigest, epcisEventRecords, signEpcisEvent } from "./epcis/records";
import { EpcisEventBody } from "./records/epcis-event";
import { GtinLinksViewSchema, type GtinLink, type GtinLinksView } from "./provenance/gtin-links";

/** A hub error: the RFC 9457 problem it answered with. */
export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ""}`);
  }
}

export interface HubClientOptions {
  /** The hub's base URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** The organisation this client acts for, and its signing key (never sent anywhere). */
  orgId?: string;
  privateKey?: string;
  /** Retries of idempotent requests on network errors and 429/502/503/504 answers. */
  retries?: number;
  /** The longest Retry-After the client waits out before a retry (default 10 s); a longer one is the caller's answer. */
  maxRetryAfterMs?: number;
}

const RETRYABLE = new Set([429, 502, 503, 504]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RFC 9110 §10.2.3 Retry-After: delay-seconds or an HTTP-date, in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Typed client of the hub's `/v1` API. It signs records locally with the organisation's key and
 * handles authentication (client assertion -> access token, renewed before it expires).
 */
export class HubClient {
  readonly baseUrl: string;
  private token: { value: string; expiresAt: number } | undefined;

  constructor(private readonly opts: HubClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/$/, "");
  }

  private identity(): { orgId: string; privateKey: string } {
    if (!this.opts.orgId || !this.opts.privateKey) throw new Error("this call needs an organisation id and its private key");
    return { orgId: this.opts.orgId, privateKey: this.opts.privateKey };
  }

  /** An access token for this organisation, fetched or reused. */
  async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now() + 30_000) return this.token.value;
    const { orgId, privateKey } = this.identity();
    const assertion = await createClientAssertion(orgId, privateKey, this.baseUrl);
    const res = await this.call("POST", "/v1/auth/token", TokenResponseSchema, {
      auth: false,
      body: { grant_type: "client_credentials", client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion },
    });
    this.token = { value: res.access_token, expiresAt: Date.now() + res.expires_in * 1000 };
    return res.access_token;
  }

  /**
   * One request, the one place the client talks to the hub: with this organisation's token (unless
   * `auth` is false); retried after a network error or a 429/502/503/504 only when idempotent (GET), as
   * a POST may have reached the hub, waiting out the answer's Retry-After (up to maxRetryAfterMs, else
   * the answer is returned) or else backing off; a 401 renews the token once and resends, for any
   * method, as the hub refused the request before handling it. The answer is returned, ok or not.
   */
  private async send(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string; auth?: boolean; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const retries = method === "GET" || method === "HEAD" ? (this.opts.retries ?? 2) : 0;
    let failures = 0;
    let renewed = false;
    const retry = async (after?: number) => {
      failures++;
      await sleep(Math.max(after ?? 0, 200 * 2 ** failures));
    };
    for (;;) {
      const headers = { ...init.headers };
      if (init.auth !== false) headers.authorization = `Bearer ${await this.accessToken()}`;
      let res: Response;
      try {
        res = await fetch(this.baseUrl + path, {
          method,
          headers,
          ...(init.body !== undefined ? { body: init.body } : {}),
          ...(init.signal ? { signal: init.signal } : {}),
        });
      } catch (err) {
        if (failures < retries && !init.signal?.aborted) {
          await retry();
          continue;
        }
        throw err;
      }
      const after = retryAfterMs(res.headers.get("retry-after"));
      if (RETRYABLE.has(res.status) && failures < retries && (after ?? 0) <= (this.opts.maxRetryAfterMs ?? 10_000)) {
        await res.body?.cancel();
        await retry(after);
        continue;
      }
      if (res.status === 401 && init.auth !== false && !renewed) {
        await res.body?.cancel();
        renewed = true;
        this.token = undefined; // expired or revoked token: get a new one once
        continue;
      }
      return res;
    }
  }

  /** Low-level call: JSON in, schema-checked JSON out, problems thrown as HubError. */
  async call<S extends z.ZodType>(method: string, path: string, schema: S, opts: { body?: unknown; auth?: boolean } = {}): Promise<z.output<S>> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    const res = await this.send(method, path, {
      headers,
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      ...(opts.auth !== undefined ? { auth: opts.auth } : {}),
    });
    if (!res.ok) throw await hubErrorOf(res);
    const text = await res.text();
    return schema.parse(text ? JSON.parse(text) : undefined);
  }

  /** Prepares (salts, digest) and signs a record version with this organisation's key. */
  signRecord<T extends RecordType>(type: T, body: RecordBody<T>, opts: { id?: string; version?: number } = {}): SignedRecord {
    const { orgId, privateKey } = this.identity();
    const prepared = prepareRecord({ type, id: opts.id ?? randomUUID(), version: opts.version ?? 1, owner: orgId }, body);
    return signRecord(privateKey, prepared);
  }

  /** Signs and publishes one record version; returns it as sent, with the hub's acknowledgement. */
  async publish<T extends RecordType>(
    type: T,
    body: RecordBody<T>,
    opts: { id?: string; version?: number } = {},
  ): Promise<{ record: SignedRecord; published: Published }> {
    const record = this.signRecord(type, body, opts);
    return { record, published: await this.publishSigned(record) };
  }

  publishSigned(record: SignedRecord): Promise<Published> {
    return this.call("POST", "/v1/records", PublishedSchema, { body: record });
  }

  /** Publishes up to 1,000 signed records in one all-or-nothing request. */
  async publishBatch(records: SignedRecord[]): Promise<Published[]> {
    return (await this.call("POST", "/v1/records/batch", PublishedBatchSchema, { body: { records } })).records;
  }

  getRecord(id: string, version?: number): Promise<StoredRecord> {
    return this.call("GET", `/v1/records/${encodeURIComponent(id)}${version ? `?version=${version}` : ""}`, StoredRecordSchema);
  }

  getProof(id: string, version?: number): Promise<AnchorProof> {
    return this.call("GET", `/v1/records/${encodeURIComponent(id)}/proof${version ? `?version=${version}` : ""}`, AnchorProofSchema);
  }

  /** Waits until the record version is anchored and returns its proof. */
  async waitForProof(id: string, version?: number, timeoutMs = 30_000): Promise<AnchorProof> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.getProof(id, version);
      } catch (err) {
        if (!(err instanceof HubError && err.status === 409) || Date.now() > deadline) throw err;
        await sleep(100);
      }
    }
  }

  /**
   * Lets `grantee` read the record ("object", the default) or the record and everything linked to it
   * ("linked"); with `fields`, only those top-level body fields (the grantee reads the redacted form).
   */
  grant(id: string, grantee: string, expiresAt?: Date, scope?: GrantScope, fields?: readonly string[]): Promise<GrantView> {
    return this.call("POST", `/v1/records/${encodeURIComponent(id)}/grants`, GrantViewSchema, {
      body: { grantee, ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}), ...(scope ? { scope } : {}), ...(fields ? { fields: [...fields] } : {}) },
    });
  }

  async listGrants(id: string): Promise<GrantView[]> {
    return (await this.call("GET", `/v1/records/${encodeURIComponent(id)}/grants`, z.object({ grants: z.array(GrantViewSchema) }))).grants;
  }

  async revokeGrant(id: string, grantee: string): Promise<void> {
    await this.call("DELETE", `/v1/records/${encodeURIComponent(id)}/grants/${encodeURIComponent(grantee)}`, z.undefined());
  }

  /** Asks the records' owner that this organisation (or `requestedFor`) may read them; PENDING until decided. */
  requestAccess(request: CreateAccessRequest): Promise<AccessRequestView> {
    return this.call("POST", "/v1/access-requests", AccessRequestViewSchema, { body: request });
  }

  /** Requests this organisation made (`as: "requester"`, the default) or decides as the records' owner. */
  async accessRequests(opts: { as?: "owner" | "requester"; status?: AccessRequestStatus; limit?: number } = {}): Promise<AccessRequestView[]> {
    const q = new URLSearchParams(Object.entries(opts).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]))).toString();
    return (await this.call("GET", `/v1/access-requests${q ? `?${q}` : ""}`, AccessRequestListSchema)).accessRequests;
  }

  accessRequest(id: string): Promise<AccessRequestView> {
    return this.call("GET", `/v1/access-requests/${encodeURIComponent(id)}`, AccessRequestViewSchema);
  }

  decideAccessRequest(id: string, decision: "ACCEPTED" | "REJECTED"): Promise<AccessRequestView> {
    return this.call("POST", `/v1/access-requests/${encodeURIComponent(id)}/decision`, AccessRequestViewSchema, { body: { decision } });
  }

  /** The requester withdraws a PENDING request; the owner revokes an ACCEPTED one (its grants end, with those delegated from them). */
  revokeAccessRequest(id: string): Promise<AccessRequestView> {
    return this.call("DELETE", `/v1/access-requests/${encodeURIComponent(id)}`, AccessRequestViewSchema);
  }

  /** Asks the hub to verify. To trust nobody, use `verifyRecord` from the SDK against your own RPC. */
  verifyRemote(record: SignedRecord, proof: AnchorProof): Promise<Verdict> {
    return this.call("POST", "/v1/verify", VerdictSchema, { body: { record, proof }, auth: false });
  }

  /** Replaces the resolver links of a GTIN this organisation owns (the first to publish a ProductBatch of it). */
  setGtinLinks(gtin: string, links: GtinLink[]): Promise<GtinLinksView> {
    return this.call("PUT", `/v1/gtins/${encodeURIComponent(gtin)}/links`, GtinLinksViewSchema, { body: { links } });
  }

  /** A GTIN's owner and resolver links (public). */
  gtinLinks(gtin: string): Promise<GtinLinksView> {
    return this.call("GET", `/v1/gtins/${encodeURIComponent(gtin)}/links`, GtinLinksViewSchema, { auth: false });
  }

  /**
   * Streams the audit export (GET /v1/audit/export, JSON Lines; see sdk/audit/export-format.ts) and
   * yields its lines as text, each complete, without the newline. `scope` "all" needs the AUDITOR
   * role; "own" is this organisation's records. `after` resumes after a line's cursor (the hub sends
   * a new header first). A connection cut mid-stream throws; resume from the last line received.
   */
  async *exportLines(opts: { scope: "all" | "own"; after?: string }): AsyncIterable<string> {
    const query = new URLSearchParams({ scope: opts.scope, ...(opts.after !== undefined ? { after: opts.after } : {}) });
    const res = await this.open(`/v1/audit/export?${query.toString()}`, "application/x-ndjson, application/jsonl;q=0.9, application/json;q=0.5");
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let start = 0;
        for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n", start)) {
          const line = buf.charCodeAt(nl - 1) === 13 ? buf.slice(start, nl - 1) : buf.slice(start, nl);
          start = nl + 1;
          if (line !== "") yield line;
        }
        buf = buf.slice(start);
      }
      // The body ended cleanly (a cut connection throws above): a last line without a newline is whole.
      buf += decoder.decode();
      if (buf.trim() !== "") yield buf;
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  }

  /** A streamed GET with auth: retried like `call` until the response starts; problems thrown as HubError. */
  private async open(path: string, accept: string): Promise<Response> {
    const res = await this.send("GET", path, { headers: { accept } });
    if (res.ok) return res;
    throw await hubErrorOf(res);
  }

  /**
   * The public provenance story of a product code (no authentication): `codePath` is the code's
   * Digital Link path, e.g. "/01/09506000134352/10/LOT1". Verify it yourself with
   * `verifyStory` (sdk/provenance/verify-story.ts) against an RPC you trust.
   */
  productStory(codePath: string): Promise<ProductStory> {
    return this.call("GET", `/provenance/story${codePath.startsWith("/") ? "" : "/"}${codePath}`, ProductStorySchema, { auth: false });
  }

  chainInfo(): Promise<ChainInfo> {
    return this.call("GET", "/v1/chain", ChainInfoSchema, { auth: false });
  }

  getOrganization(id: string): Promise<OrganizationView> {
    return this.call("GET", `/v1/orgs/${encodeURIComponent(id)}`, OrganizationViewSchema);
  }

  /** Operator only: one page of the organisations, by id after `after` (pass the previous page's `next`). */
  listOrganizations(page: { after?: string; limit?: number } = {}): Promise<OrganizationPage> {
    return this.call("GET", `/v1/orgs${queryString(page)}`, OrganizationPageSchema);
  }

  /** Operator only: every organisation, by id, page after page. */
  async *organizations(): AsyncGenerator<OrganizationView> {
    let after: string | undefined;
    do {
      const page = await this.listOrganizations(after === undefined ? {} : { after });
      yield* page.organizations;
      after = page.next;
    } while (after !== undefined);
  }

  /** Operator only: admits an organisation (on chain and in the hub), with the credentials the operator issues it. */
  admitOrganization(org: {
    id: string;
    name: string;
    roles: AdmitOrganization["roles"];
    publicKey: string;
    credentials?: CredentialGrantInput[];
  }): Promise<OrganizationView> {
    return this.call("POST", "/v1/orgs", OrganizationViewSchema, { body: org });
  }

  /** An organisation's credentials as the chain holds them, with their history (docs/authority.md). */
  async credentials(orgId: string): Promise<CredentialView[]> {
    return (await this.call("GET", `/v1/orgs/${encodeURIComponent(orgId)}/credentials`, z.object({ credentials: z.array(CredentialViewSchema) }))).credentials;
  }

  /** Operator only: issues a credential on chain as the consortium operator. */
  issueCredential(orgId: string, grant: CredentialGrantInput): Promise<CredentialView> {
    return this.call("POST", `/v1/orgs/${encodeURIComponent(orgId)}/credentials`, CredentialViewSchema, { body: grant });
  }

  /** Operator only: lets an accreditation body issue credentials of these kinds on chain with its own key. */
  setIssuer(orgId: string, kinds: CredentialView["kind"][]): Promise<{ issuer: string; kinds: CredentialView["kind"][] }> {
    return this.call("PUT", `/v1/orgs/${encodeURIComponent(orgId)}/issuer`, z.object({ issuer: z.string(), kinds: z.array(CredentialViewSchema.shape.kind) }), {
      body: { kinds },
    });
  }

  /** Operator only: revokes a credential from now on (records anchored before keep their authority). */
  revokeCredential(orgId: string, credentialId: string, reason: string): Promise<CredentialView> {
    return this.call("POST", `/v1/orgs/${encodeURIComponent(orgId)}/credentials/${encodeURIComponent(credentialId)}/revoke`, CredentialViewSchema, {
      body: { reason },
    });
  }

  /** Operator only: suspends an organisation (its tokens stop working; its signatures stop counting from now). */
  suspend(id: string): Promise<OrganizationView> {
    return this.call("POST", `/v1/orgs/${encodeURIComponent(id)}/suspend`, OrganizationViewSchema);
  }

  /** Operator only: lifts a suspension. */
  reinstate(id: string): Promise<OrganizationView> {
    return this.call("POST", `/v1/orgs/${encodeURIComponent(id)}/reinstate`, OrganizationViewSchema);
  }

  /** Operator only: rotates an organisation's signing key. */
  rotateKey(id: string, publicKey: string): Promise<OrganizationView> {
    return this.call("POST", `/v1/orgs/${encodeURIComponent(id)}/keys`, OrganizationViewSchema, { body: { publicKey } });
  }

  // Subscriptions, webhook deliveries, dead letters and the notification stream (docs/notifications.md).
  /** Subscribes to a record, a record type and/or notification kinds; a webhook's secret is in the answer, once. */
  createSubscription(subscription: CreateSubscription): Promise<z.output<typeof CreatedSubscriptionSchema>> {
    return this.call("POST", "/v1/subscriptions", CreatedSubscriptionSchema, { body: subscription });
  }

  async subscriptions(): Promise<SubscriptionView[]> {
    return (await this.call("GET", "/v1/subscriptions", SubscriptionListSchema)).subscriptions;
  }

  subscription(id: string): Promise<SubscriptionView> {
    return this.call("GET", `/v1/subscriptions/${encodeURIComponent(id)}`, SubscriptionViewSchema);
  }

  async deleteSubscription(id: string): Promise<void> {
    await this.call("DELETE", `/v1/subscriptions/${encodeURIComponent(id)}`, z.undefined());
  }

  /** The delivery log of a webhook subscription (every attempt), after log seq `after`. */
  deliveries(id: string, after = 0, limit?: number): Promise<z.output<typeof DeliveryPageSchema>> {
    return this.call("GET", `/v1/subscriptions/${encodeURIComponent(id)}/deliveries${queryString({ after, limit })}`, DeliveryPageSchema);
  }

  async deadLetters(id: string): Promise<DeadLetter[]> {
    return (await this.call("GET", `/v1/subscriptions/${encodeURIComponent(id)}/dead-letters`, DeadLetterListSchema)).deadLetters;
  }

  /** Sends a dead letter once more, now; the answer says whether the receiver took it. */
  redeliver(id: string, deadLetterId: string): Promise<RedeliveryResult> {
    return this.call("POST", `/v1/subscriptions/${encodeURIComponent(id)}/dead-letters/${encodeURIComponent(deadLetterId)}/redeliver`, RedeliveryResultSchema);
  }

  /**
   * The feed as server-sent events, live: yields each notification after `after` (default: from
   * now on), reconnecting after a dropped connection from the last one seen, until `signal` aborts.
   */
  async *notificationStream(opts: { after?: number; signal?: AbortSignal } = {}): AsyncGenerator<Notification> {
    let last = opts.after;
    while (!opts.signal?.aborted) {
      const headers: Record<string, string> = { accept: "text/event-stream" };
      if (last !== undefined) headers["last-event-id"] = String(last);
      let res: Response;
      try {
        res = await this.send("GET", "/v1/notifications/stream", { headers, ...(opts.signal ? { signal: opts.signal } : {}) });
      } catch (err) {
        if (opts.signal?.aborted) return;
        throw err;
      }
      if (!res.ok || !res.body) throw await hubErrorOf(res);
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = event
              .split("\n")
              .filter((l) => l.startsWith("data: "))
              .map((l) => l.slice(6))
              .join("\n");
            if (!data) continue; // a comment (heartbeat)
            const notification = NotificationSchema.parse(JSON.parse(data));
            last = notification.seq;
            yield notification;
          }
        }
      } catch (err) {
        if (opts.signal?.aborted) return;
        throw err;
      }
      // The hub closed the stream (it stopped, say): reconnect after a pause.
      await sleep(1000);
    }
  }

  /** This organisation's notifications after sequence number `after` (oldest first); pass `next` to read on. */
  notifications(after = 0, limit?: number): Promise<z.output<typeof NotificationPageSchema>> {
    return this.call("GET", `/v1/notifications${queryString({ after, limit })}`, NotificationPageSchema);
  }

  /** The hub's e-port directory: enterprise codes to organisations, customs areas to offices and ports. */
  cebDirectory(): Promise<CebDirectory> {
    return this.call("GET", "/v1/customs/ceb/directory", CebDirectorySchema);
  }

  /**
   * A publisher's own path for an e-port import declaration (CEB311, CEB411, CEB511 or CEB621 XML):
   * converted with the hub's directory and `context` (what the message does not carry, sdk/ceb/records.ts),
   * signed with this organisation's key and published in one all-or-nothing batch. A change
   * (appType 2) is the next version of the record the first declaration made. Throws
   * CebMessageError naming the element (or context field) at fault before anything is sent.
   */
  async publishCebMessage(xml: string, context: CebContext = {}): Promise<Published[]> {
    const declaration = readCebDeclaration(xml);
    const drafts = cebDrafts(declaration, await this.cebDirectory(), CebContextSchema.parse(context), this.identity().orgId);
    const records: SignedRecord[] = [];
    for (const d of drafts) {
      let version = 1;
      if (d.change) {
        try {
          version = (await this.getRecord(d.id)).record.version + 1;
        } catch (e) {
          if (e instanceof HubError && e.status === 404)
            throw new CebMessageError("", "app-type", `appType 2 changes a declared record; the hub holds no ${d.id}`);
          throw e;
        }
      }
      records.push(this.signRecord(d.type, d.body, { id: d.id, version }));
    }
    return this.publishBatch(records);
  }

  /** The e-port receipt (CEB312, CEB412, CEB512 or CEB622 XML) of a document this organisation published from an e-port message. */
  async cebReceipt(recordId: string): Promise<string> {
    return (await this.open(`/v1/customs/receipts/${encodeURIComponent(recordId)}`, "application/xml")).text();
  }

  /** Customs: one page of this office's queue (filters: status, mode, port, from, to; `after` = the previous page's `next`). */
  customsCases(query: CustomsCaseQuery = {}): Promise<CustomsCasePage> {
    return this.call("GET", `/v1/customs/cases${queryString(query)}`, CustomsCasePageSchema);
  }

  /** Customs: the consolidated picture of one order, each record with the SDK's verdict once anchored. */
  customsCase(platform: string, orderNumber: string): Promise<CustomsCasePicture> {
    return this.call("GET", `/v1/customs/cases/${encodeURIComponent(platform)}/${encodeURIComponent(orderNumber)}`, CustomsCasePictureSchema);
  }

  /** Customs (its office) or the operator (all offices): counts and values by period and the chosen dimensions. */
  customsStatistics(query: Omit<CustomsStatisticsQuery, "groupBy"> & { groupBy?: string[] } = {}): Promise<CustomsStatistics> {
    return this.call("GET", `/v1/customs/statistics${queryString({ ...query, groupBy: query.groupBy?.join(",") })}`, CustomsStatisticsSchema);
  }

  /** Broker or platform: the SummaryDeclaration body of its released export lists not yet summarised, to sign and publish. */
  summaryDraft(query: SummaryDraftQuery): Promise<SummaryDraft> {
    return this.call("GET", `/v1/customs/summaries/draft${queryString(query)}`, SummaryDraftSchema);
  }

  /** Platform, before it accepts an order: is the buyer's order within the personal import limits, and how much of the year is left. */
  quotaCheck(request: QuotaCheckRequest): Promise<QuotaCheck> {
    return this.call("POST", "/v1/customs/quota-check", QuotaCheckSchema, { body: request });
  }

  // --- EPCIS 2.0 (docs/epcis.md) ---

  /** Captures an EPCIS document as a standard client would (the hub attests the events); returns the capture job's id. */
  async captureEpcis(doc: unknown, opts: { errorBehaviour?: "rollback" | "proceed" } = {}): Promise<string> {
    const headers: Record<string, string> = { "content-type": "application/ld+json", "GS1-EPCIS-Version": "2.0.0" };
    if (opts.errorBehaviour) headers["GS1-Capture-Error-Behaviour"] = opts.errorBehaviour;
    const res = await this.send("POST", "/epcis/capture", { headers, body: JSON.stringify(doc) });
    if (res.status !== 202) throw await hubErrorOf(res);
    const location = res.headers.get("location") ?? "";
    return decodeURIComponent(location.slice(location.lastIndexOf("/") + 1));
  }

  captureJob(id: string): Promise<CaptureJob> {
    return this.call("GET", `/epcis/capture/${encodeURIComponent(id)}`, CaptureJobSchema);
  }

  /** Polls a capture job until it has finished. */
  async waitForCapture(id: string, timeoutMs = 30_000): Promise<CaptureJob> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.captureJob(id);
      if (!job.running) return job;
      if (Date.now() > deadline) throw new Error(`capture job ${id} still running after ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  /** One event by its hash (ni:///...) or its own eventID, as an EPCISQueryDocument. */
  epcisEvent(eventId: string): Promise<EpcisQueryResult> {
    return this.call("GET", `/epcis/events/${encodeURIComponent(eventId)}`, EpcisQueryResultSchema);
  }

  /** The events naming an EPC (URN or Digital Link; a product code also matches its other forms). */
  epcisEventsOfEpc(epc: string, params: EpcisQueryParams = {}): Promise<EpcisQueryResult> {
    return this.call("GET", `/epcis/epcs/${encodeURIComponent(epc)}/events${epcisQueryString(params)}`, EpcisQueryResultSchema);
  }

  /** One page of the events matching the query (pass the Link header's nextPageToken as `nextPageToken`). */
  epcisQuery(params: EpcisQueryParams = {}): Promise<EpcisQueryResult> {
    return this.call("GET", `/epcis/events${epcisQueryString(params)}`, EpcisQueryResultSchema);
  }

  /**
   * A member's own path: turns the document's events into EpcisEvent records signed with this
   * organisation's key and publishes them through /v1/records. An event this organisation already
   * holds exactly (same capturedDigest) is skipped, so publishing a document twice is harmless; one
   * whose plain id holds other content of the same hash (an error declaration, a commented copy)
   * goes under its variant id.
   */
  async publishEpcis(doc: unknown): Promise<Published[]> {
    const records = epcisEventRecords(doc, this.identity());
    const held = async (id: string) => {
      try {
        return (await this.getRecord(id)).record;
      } catch (e) {
        if (e instanceof HubError && e.status === 404) return undefined;
        throw e;
      }
    };
    const fresh: SignedRecord[] = [];
    for (const r of records) {
      const body = EpcisEventBody.parse(r.body);
      const existing = await held(r.id);
      if (!existing) fresh.push(r);
      else if (capturedDigest(EpcisEventBody.parse(existing.body)) !== capturedDigest(body)) {
        const variant = signEpcisEvent(body, this.identity(), true);
        if (!(await held(variant.id))) fresh.push(variant);
      }
    }
    const out: Published[] = [];
    for (let i = 0; i < fresh.length; i += 1000) out.push(...(await this.publishBatch(fresh.slice(i, i + 1000))));
    return out;
  }
}

/** The hub's problem in an answer that is not ok; a gateway's page that is not one becomes a plain problem of its status. */
async function hubErrorOf(res: Response): Promise<HubError> {
  const text = await res.text().catch(() => "");
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const problem = ProblemSchema.safeParse(json);
  return new HubError(res.status, problem.success ? problem.data : { type: "about:blank", title: res.statusText || `HTTP ${res.status}`, status: res.status });
}

/** "?a=1&b=x" of the defined values ("" when none). */
function queryString(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== "");
  return entries.length === 0 ? "" : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
}
