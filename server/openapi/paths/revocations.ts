import { RelayedRevocationSchema, SignedRevocationSchema } from "../../../sdk/relay";
import { BEARER_PROBLEMS, BODY_PROBLEMS, JSON_TYPE, named, problems, type Operation } from "../registry";

/** Relayed revocation: the hub pays for a member's signed revocation (server/records/revocation-relay.ts). */
export const revocationOperations: Operation[] = [
  {
    operationId: "relayRevocation",
    method: "post",
    path: "/v1/revocations",
    summary: "Have the hub send a member's EIP-712 signed revocation on chain and pay for it",
    tags: ["records"],
    security: "bearer",
    body: { schema: named("SignedRevocation", SignedRevocationSchema), mediaTypes: [JSON_TYPE] },
    description:
      "The member signs `Revoke(address revoker,bytes32 digest,string reason,uint256 nonce,uint256 deadline)` under the EIP-712 domain " +
      '{ name: "cargoproof AnchorRegistry", version: "1", chainId, verifyingContract: the AnchorRegistry } (sdk/relay.ts signRevocation); ' +
      "the hub sends it to AnchorRegistry.revokeBySignature with its operator key. The contract decides: a signature that is not the revoker's on this chain " +
      "and deployment is 400 `revocation-signature-invalid`, a passed deadline 400 `revocation-expired`, a nonce that is not the revoker's current one " +
      "(a replay, or out of order) 409 `revocation-replayed`, a revoker that is not an active member key now 403 `revoker-not-member`, " +
      "a digest the organisation revoked already 409 `already-revoked`. Nothing is sent then. Answered once the transaction is mined; " +
      "verifiers see the same `Revoked` event as for a revocation the member sent itself.",
    responses: [{ status: 200, description: "Revoked on chain (mined).", content: { [JSON_TYPE]: named("RelayedRevocation", RelayedRevocationSchema) } }],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, {
      400: ["invalid-signed-revocation", "revocation-signature-invalid", "revocation-expired"],
      403: ["revoker-not-member"],
      409: ["revocation-replayed", "already-revoked"],
      503: ["chain-unavailable"],
    }),
  },
];
