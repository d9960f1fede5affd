import { Contract, Interface, type TransactionReceipt } from "ethers";
import { anchorRegistryAbi, bytes32ToOrgId, credentialRegistryAbi } from "../../sdk/chain-abi";
import { issuedCredentialId } from "../../sdk/authority/chain";
import {
  issueCredentialBySignatureArgs,
  relayRefusal,
  revokeBySignatureArgs,
  revokeCredentialBySignatureArgs,
  type RelayRefusal,
  type RelayedCredential,
  type RelayedRevocation,
  type SignedCredentialIssue,
  type SignedCredentialRevocation,
  type SignedRevocation,
} from "../../sdk/relay";
import { listCredentials, noCredentialRegistry } from "../authority/credentials";
import { HttpProblem, badRequest, conflict, forbidden, notFound, serviceUnavailable } from "../http/problem";
import type { HubChain } from "./hub-chain";

/** Which signed message was refused: the problem kinds of its signature's refusals (the revocation ones predate the others). */
const SIGNATURE_PROBLEMS = {
  revocation: {
    what: "revocation",
    registry: "AnchorRegistry",
    invalid: "revocation-signature-invalid",
    expired: "revocation-expired",
    replayed: "revocation-replayed",
  },
  credential: {
    what: "credential message",
    registry: "CredentialRegistry",
    invalid: "credential-signature-invalid",
    expired: "credential-signature-expired",
    replayed: "credential-signature-replayed",
  },
} as const;
type SignedMessage = keyof typeof SIGNATURE_PROBLEMS;

/** The problem a member gets for each refusal of a registry (the contract is the authority). */
function problemOf(r: RelayRefusal, message: SignedMessage): HttpProblem {
  const names = SIGNATURE_PROBLEMS[message];
  switch (r.error) {
    case "InvalidSignature":
      return badRequest(names.invalid, `The signature is not ${r.signer}'s over this ${names.what} on this chain and ${names.registry}.`);
    case "SignatureExpired":
      return badRequest(names.expired, `The signed ${names.what}'s deadline (${r.deadline}) has passed: sign it again.`);
    case "InvalidAccountNonce":
      return conflict(
        names.replayed,
        `The signed nonce is not ${r.account}'s current one (${r.currentNonce}): this signature was used already, or is out of order.`,
      );
    case "NotActiveMember":
      return forbidden("revoker-not-member", `${r.account} is not an active member key now (unknown, rotated out or suspended).`);
    case "AlreadyRevoked":
      return "id" in r
        ? conflict("credential-revoked", `Credential ${r.id} is already revoked.`)
        : conflict("already-revoked", "The organisation has revoked this digest already.");
    case "NotIssuer":
      return forbidden(
        "issuer-not-authorised",
        `${r.account} may not issue credentials of kind ${r.kind} now: it is neither the consortium operator nor an active key of an organisation allowed that kind.`,
      );
    case "NotRevoker":
      return forbidden(
        "credential-revoker-not-issuer",
        `${r.account} may not revoke credential ${r.id} now: it is neither the consortium operator nor an active key of its issuer.`,
      );
    case "UnknownCredential":
      return notFound();
    case "BadValidity":
      return badRequest("credential-validity-invalid", `The credential's validity ends (${r.validUntil}) before it starts (${r.validFrom}).`);
    case "ZeroSubject":
      return badRequest("invalid-signed-credential", "The credential has no subject.");
  }
}

/** Ethers' codes for a chain that did not answer (as opposed to one that refused). */
const UNREACHABLE = new Set(["NETWORK_ERROR", "TIMEOUT", "SERVER_ERROR"]);

const credentialEvents = new Interface(credentialRegistryAbi);

/**
 * Sends members' signed messages to the registries' `...BySignature` functions with the hub's operator
 * wallet (the hub pays), in the operator's transaction queue so nonces never collide. The hub checks
 * nothing the contract checks: its refusal, found when the transaction is estimated (before anything is
 * sent), becomes the member's problem.
 */
export class MemberRelay {
  private readonly anchors: Contract;

  constructor(private readonly chain: HubChain) {
    this.anchors = new Contract(chain.contracts.anchorRegistry, anchorRegistryAbi, chain.operator);
  }

  /** A record revocation (AnchorRegistry.revokeBySignature). */
  async revoke(signed: SignedRevocation): Promise<RelayedRevocation> {
    const receipt = await this.send("revocation", this.anchors, "revokeBySignature", revokeBySignatureArgs(signed));
    return { digest: signed.digest, revoker: signed.revoker, txHash: receipt.hash, blockNumber: receipt.blockNumber };
  }

  /** A credential's issue (CredentialRegistry.issueBySignature); answers the credential as issued. */
  async issueCredential(signed: SignedCredentialIssue): Promise<RelayedCredential> {
    const receipt = await this.send("credential", this.credentials(), "issueBySignature", issueCredentialBySignatureArgs(signed));
    return this.credentialAfter(receipt, String(issuedCredentialId(receipt.logs)), signed.subject);
  }

  /** A credential's revocation (CredentialRegistry.revokeBySignature); answers the credential as revoked. */
  async revokeCredential(signed: SignedCredentialRevocation): Promise<RelayedCredential> {
    const receipt = await this.send("credential", this.credentials(), "revokeBySignature", revokeCredentialBySignatureArgs(signed));
    const revoked = receipt.logs.map((l) => credentialEvents.parseLog(l)).find((e) => e?.name === "CredentialRevoked");
    if (!revoked) throw new Error("the CredentialRevoked event is missing from the receipt");
    return this.credentialAfter(receipt, String(BigInt(signed.id)), bytes32ToOrgId(revoked.args.subject as string));
  }

  private credentials(): Contract {
    // Resolved at start-up (resolveCredentialRegistry), so read it at call time.
    if (!this.chain.credentials) throw noCredentialRegistry();
    return this.chain.credentials;
  }

  private async credentialAfter(receipt: TransactionReceipt, id: string, subject: string): Promise<RelayedCredential> {
    const credential = (await listCredentials(this.chain, subject)).find((c) => c.id === id);
    if (!credential) throw new Error(`credential ${id} of ${subject} is not on chain after its transaction ${receipt.hash}`);
    return { credential, txHash: receipt.hash, blockNumber: receipt.blockNumber };
  }

  private async send(message: SignedMessage, registry: Contract, fn: string, args: readonly unknown[]): Promise<TransactionReceipt> {
    try {
      return await this.chain.operatorTx(() => registry.getFunction(fn)(...args));
    } catch (err) {
      // Mined but reverted (the state changed between estimate and block): ask again for the reason.
      const refusal =
        relayRefusal(err) ??
        (await registry
          .getFunction(fn)
          .staticCall(...args)
          .then(() => undefined, relayRefusal));
      if (refusal) throw problemOf(refusal, message);
      const code = (err as { code?: unknown }).code;
      if (typeof code === "string" && UNREACHABLE.has(code))
        throw serviceUnavailable("chain-unavailable", "The chain could not be reached: nothing was sent. Try again.", 5);
      throw err;
    }
  }
}
