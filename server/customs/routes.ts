import { Router, type ErrorRequestHandler, type Request, type RequestHandler } from "express";
import { CustomsCaseQuerySchema, CustomsStatisticsQuerySchema, QuotaCheckRequestSchema, SummaryDraftQuerySchema } from "../../sdk/api";
import { OrgIdSchema } from "../../sdk/envelope";
import { OrderNumber } from "../../sdk/records/customs-common";
import type { Role } from "../../sdk/roles";
import { callerOf, type Caller } from "../auth/caller";
import { deniedLookup, readLine } from "../access-log/logged";
import type { CebDirectory } from "../../sdk/ceb";
import { HttpProblem, conflict, forbidden, fromZod, notFound } from "../http/problem";
import { rateLimit } from "../http/rate-limit";
import { identityKeyer } from "./identity";
import { quotaCheck } from "./quota";
import { documentReceipt } from "./receipts";
import { resolveMatchRules, type MatchRules } from "./rules";
import { casePicture, listCases, type PictureDeps } from "./queue";
import { customsStatistics } from "./statistics";
import { summaryDraft } from "./summaries";

export interface CustomsRouteDeps extends PictureDeps {
  auth: RequestHandler;
  /** The quota pre-check: the matcher's identity key and rules, and its calls a minute per platform. */
  quota: { matchKey: string; rules?: Partial<MatchRules>; perMinute: number };
  /** The operator's e-port directory (CUSTOMS_CEB_DIRECTORY). */
  cebDirectory: CebDirectory;
}

/** The access log's name for a receipt read. */
const RECEIPT = "customs receipt";

/** The access log's name for a quota pre-check (never the buyer: the line names who asked, not about whom). */
const QUOTA_CHECK = "customs quota-check";

/** The caller, if it holds one of `roles`; 403 `role-required` otherwise. */
function callerWith(req: Request, roles: readonly Role[]): Caller {
  const caller = callerOf(req);
  if (!roles.some((r) => caller.roles.includes(r))) throw forbidden("role-required", `This needs the role ${roles.join(" or ")}.`);
  return caller;
}

/**
 * Customs' side of the cross-border e-commerce match (`/v1/customs`): the office's queue, the
 * consolidated picture of a case, statistics, and summary drafts for declarants.
 */
export function customsRoutes(deps: CustomsRouteDeps): Router {
  const { db, provider, auth, accessLog } = deps;
  const router = Router();
  const identityKey = identityKeyer(deps.quota.matchKey);
  const rules = resolveMatchRules(deps.quota.rules);

  router.get("/v1/customs/cases", auth, async (req, res) => {
    const caller = callerWith(req, ["CUSTOMS"]);
    const q = CustomsCaseQuerySchema.safeParse(req.query);
    if (!q.success) throw fromZod("invalid-query", "Unknown or malformed query parameter(s).", q.error);
    res.json(await listCases(db, provider, caller.orgId, q.data));
  });

  router.get("/v1/customs/cases/:platform/:orderNumber", auth, async (req, res) => {
    const caller = callerWith(req, ["CUSTOMS"]);
    const platform = OrgIdSchema.safeParse(req.params.platform);
    const orderNumber = OrderNumber.safeParse(req.params.orderNumber);
    // A malformed key names no case: the same 404 as any case the caller cannot see.
    if (!platform.success || !orderNumber.success) throw notFound();
    res.json(await casePicture(deps, caller, platform.data, orderNumber.data));
  });

  router.get("/v1/customs/statistics", auth, async (req, res) => {
    const caller = callerWith(req, ["CUSTOMS", "OPERATOR"]);
    const q = CustomsStatisticsQuerySchema.safeParse(req.query);
    if (!q.success) throw fromZod("invalid-query", "Unknown or malformed query parameter(s).", q.error);
    // Customs sees its own office only; the operator all offices, or the one it names.
    const office = caller.roles.includes("OPERATOR") ? q.data.customsOffice : caller.orgId;
    if (!caller.roles.includes("OPERATOR") && q.data.customsOffice && q.data.customsOffice !== caller.orgId)
      throw forbidden("other-office", "Customs sees the statistics of its own office only.");
    res.json(await customsStatistics(db, provider, office, q.data));
  });

  router.get("/v1/customs/summaries/draft", auth, async (req, res) => {
    const caller = callerWith(req, ["BROKER", "PLATFORM"]);
    const q = SummaryDraftQuerySchema.safeParse(req.query);
    if (!q.success) throw fromZod("invalid-query", "mode (9610 or 1210), customsOffice, from and to (YYYY-MM-DD) are required.", q.error);
    res.json(await summaryDraft(db, provider, caller.orgId, q.data));
  });

  // The directory publishers convert their e-port messages with (sdk/ceb): enterprise codes are public registrations.
  router.get("/v1/customs/ceb/directory", auth, (req, res) => {
    callerOf(req);
    res.json(deps.cebDirectory);
  });

  // A document's e-port receipt, for its publisher only; anyone else gets the 404 of a document that
  // does not exist (after the same query), and the publisher a DENY line naming the caller.
  router.get("/v1/customs/receipts/:recordId", auth, async (req, res) => {
    const caller = callerOf(req);
    const recordId = String(req.params.recordId);
    const answer = await documentReceipt(db, provider, recordId);
    if (!answer.found || answer.owner !== caller.orgId) {
      await accessLog.append(answer.found ? { ...deniedLookup(caller.orgId, RECEIPT), recordId, owner: answer.owner } : deniedLookup(caller.orgId, RECEIPT));
      throw notFound();
    }
    if (answer.xml === undefined)
      throw conflict("no-eport-message", "This document was not published from an e-port message (its body has no ceb source): it has no receipt.");
    await accessLog.append(readLine(caller.orgId, { id: recordId, version: answer.version, owner: answer.owner }, RECEIPT));
    res.type("application/xml").send(answer.xml);
  });

  // Counted per platform (after its role is checked, so only platforms' calls count).
  const quotaLimit = rateLimit(db, "customs-quota-check", deps.quota.perMinute, (req) => callerOf(req).orgId);
  const platformOnly: RequestHandler = (req, _res, next) => {
    callerWith(req, ["PLATFORM"]);
    next();
  };
  // Every refused call of an authenticated caller is a DENY line naming the refusal.
  const logRefusal: ErrorRequestHandler = (err: unknown, req, _res, next) => {
    if (!(err instanceof HttpProblem) || !req.caller) return next(err);
    accessLog.append(deniedLookup(req.caller.orgId, `${QUOTA_CHECK}: ${err.status} ${err.kind}`)).then(
      () => next(err),
      (logFailure: unknown) => next(logFailure),
    );
  };
  const answerQuota: RequestHandler = async (req, res) => {
    const caller = callerOf(req);
    const body = QuotaCheckRequestSchema.safeParse(req.body);
    if (!body.success) throw fromZod("invalid-quota-check", "buyer, amount and currency are required; year and orderedAt are optional.", body.error);
    const answer = await quotaCheck(db, provider, identityKey, rules, body.data, new Date());
    // The answer is sent only after its line is stored.
    await accessLog.append({
      at: new Date().toISOString(),
      actor: caller.orgId,
      action: "READ",
      recordId: null,
      version: null,
      owner: null,
      detail: QUOTA_CHECK,
    });
    res.json(answer);
  };
  router.post("/v1/customs/quota-check", auth, platformOnly, quotaLimit, answerQuota, logRefusal);

  return router;
}
