import { Contract, type TransactionReceipt } from "ethers";
import { anchorRegistryAbi } from "../../sdk/chain-abi";
import { revocationRefusal, revokeBySignatureArgs, type RelayedRevocation, type RevocationRefusal, type SignedRevocation } from "../../sdk/relay";
import { HttpProblem, forbidden, serviceUnavailable } from "../http/problem";
import type { HubChain } from "./hub-chain";

/** The problem a member gets for each refusal of the contract (the contract is the authority). */
function problemOf(r: RevocationRefusal): HttpProblem {
  switch (r.error) {
    case "InvalidSignature":
      return new HttpProblem(400, "revocation-signature-invalid", "Bad request", `The signature is not ${r.revoker}'s over this revocation on this chain and AnchorRegistry.`);
    case "SignatureExpired":
      return new HttpProblem(400, "revocation-expired", "Bad request", `The signed revocation's deadline (${r.deadline}) has passed: sign it again.`);
    case "InvalidAccountNonce":
      return new HttpProblem(409, "revocation-replayed", "Conflict", `The signed nonce is not ${r.account}'s current one (${r.currentNonce}): this signature was used already, or is out of order.`);
    case "NotActiveMember":
      return forbidden("revoker-not-member", `${r.account} is not an active member key now (unknown, rotated out or suspended).`);
    case "AlreadyRevoked":
      return new HttpProblem(409, "already-revoked", "Conflict", "The organisation has revoked this digest already.");
  }
}

/** Ethers' codes for a chain that did not answer (as opposed to one that refused). */
const UNREACHABLE = new Set(["NETWORK_ERROR", "TIMEOUT", "SERVER_ERROR"]);

/**
 * Sends members' signed revocations to AnchorRegistry.revokeBySignature with the hub's operator wallet
 * (the hub pays), in the operator's transaction queue so nonces never collide. The hub checks nothing
 * the contract checks: its refusal, found when the transaction is estimated, becomes the member's problem.
 */
export class RevocationRelay {
  private readonly registry: Contract;

  constructor(private readonly chain: HubChain) {
    this.registry = new Contract(chain.contracts.anchorRegistry, anchorRegistryAbi, chain.operator);
  }

  async relay(signed: SignedRevocation): Promise<RelayedRevocation> {
    const args = revokeBySignatureArgs(signed);
    let receipt: TransactionReceipt;
    try {
      receipt = await this.chain.operatorTx(() => this.registry.getFunction("revokeBySignature")(...args));
    } catch (err) {
      // Mined but reverted (the state changed between estimate and block): ask again for the reason.
      const refusal = revocationRefusal(err) ?? (await this.registry.getFunction("revokeBySignature").staticCall(...args).then(() => undefined, revocationRefusal));
      if (refusal) throw problemOf(refusal);
      const code = (err as { code?: unknown }).code;
      if (typeof code === "string" && UNREACHABLE.has(code)) throw serviceUnavailable("chain-unavailable", "The chain could not be reached: nothing was sent. Try again.", 5);
      throw err;
    }
    return { digest: signed.digest, revoker: signed.revoker, txHash: receipt.hash, blockNumber: receipt.blockNumber };
  }
}
