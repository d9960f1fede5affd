import type { Request } from "express";
import type { Role } from "../../sdk/roles";
import { unauthorized } from "../http/problem";

/** The authenticated organisation behind a request. */
export interface Caller {
  orgId: string;
  roles: Role[];
  /** The organisation's token epoch the token was issued at (set by requireOrg once it checked it). */
  tokenEpoch?: number;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      caller?: Caller;
    }
  }
}

export function callerOf(req: Request): Caller {
  if (!req.caller) throw unauthorized("Authentication required.");
  return req.caller;
}
