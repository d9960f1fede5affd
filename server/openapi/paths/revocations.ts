import {
  RelayedCredentialSchema,
  RelayedRevocationSchema,
  SignedCredentialIssueSchema,
  SignedCredentialRevocationSchema,
  SignedRevocationSchema,
} from "../../../sdk/relay";
import { BEARER_PROBLEMS, BODY_PROBLEMS, JSON_TYPE, NOT_FOUND, named, problems, type Operation } from "../registry";

/** Relayed member actions: the hub pays for a member's signed message (server/records/revocation-relay.ts, server/chain/relay.ts). */
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
  {
    operationId: "relayCredentialIssue",
    method: "post",
    path: "/v1/credentials/issuances",
    summary: "Have the hub send an issuer's EIP-712 signed credential on chain and pay for it",
    tags: ["organisations"],
    security: "bearer",
    body: { schema: named("SignedCredentialIssue", SignedCredentialIssueSchema), mediaTypes: [JSON_TYPE] },
    description:
      "The issuer (the consortium operator's key, or a member key of an accreditation body allowed that kind) signs " +
      "`IssueCredential(address issuer,bytes32 subject,uint8 kind,uint64 validFrom,uint64 validUntil,string scope,uint256 nonce,uint256 deadline)` " +
      'under the EIP-712 domain { name: "cargoproof CredentialRegistry", version: "1", chainId, verifyingContract: the CredentialRegistry } ' +
      "(sdk/relay.ts signCredentialIssue; subject is the organisation id as a bytes32 short string, kind its number in the SDK's credential table, " +
      "scope the canonical JSON sent here). The hub sends it to CredentialRegistry.issueBySignature with its operator key; the contract decides, " +
      "as for `issue` sent by that key now: a signature that is not the issuer's on this chain and deployment is 400 `credential-signature-invalid`, " +
      "a passed deadline 400 `credential-signature-expired`, a nonce that is not the issuer's current one 409 `credential-signature-replayed`, " +
      "a signer without the authority to issue that kind now (not an active key of an allowed organisation) 403 `issuer-not-authorised`, " +
      "a validity that ends before it starts 400 `credential-validity-invalid`. Nothing is sent then. Answered once mined.",
    responses: [{ status: 201, description: "Issued on chain (mined).", content: { [JSON_TYPE]: named("RelayedCredential", RelayedCredentialSchema) } }],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, {
      400: ["invalid-signed-credential", "credential-signature-invalid", "credential-signature-expired", "credential-validity-invalid"],
      403: ["issuer-not-authorised"],
      409: ["credential-signature-replayed"],
      503: ["chain-unavailable", "no-credential-registry"],
    }),
  },
  {
    operationId: "relayCredentialRevocation",
    method: "post",
    path: "/v1/credentials/revocations",
    summary: "Have the hub send an issuer's EIP-712 signed revocation of a credential on chain and pay for it",
    tags: ["organisations"],
    security: "bearer",
    body: { schema: named("SignedCredentialRevocation", SignedCredentialRevocationSchema), mediaTypes: [JSON_TYPE] },
    description:
      "The revoker (the consortium operator's key, or a member key of the credential's issuer) signs " +
      "`RevokeCredential(address revoker,uint256 id,string reason,uint256 nonce,uint256 deadline)` under the CredentialRegistry's EIP-712 domain " +
      "(sdk/relay.ts signCredentialRevocation). The hub sends it to CredentialRegistry.revokeBySignature; the contract decides as for `revoke`: " +
      "signature problems as for issuances, an unknown credential 404, one already revoked 409 `credential-revoked`, a signer that is not an " +
      "active key of its issuer 403 `credential-revoker-not-issuer`. Nothing is sent then. Answered once mined.",
    responses: [{ status: 200, description: "Revoked on chain (mined).", content: { [JSON_TYPE]: named("RelayedCredential", RelayedCredentialSchema) } }],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, NOT_FOUND, {
      400: ["invalid-signed-credential-revocation", "credential-signature-invalid", "credential-signature-expired"],
      403: ["credential-revoker-not-issuer"],
      409: ["credential-signature-replayed", "credential-revoked"],
      503: ["chain-unavailable", "no-credential-registry"],
    }),
  },
];
