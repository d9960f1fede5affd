import { SigningKey, computeAddress, getBytes } from "ethers";
import type { JWK } from "jose";

/** An organisation's key pair: one secp256k1 key signs records (EIP-191) and API client assertions (ES256K). */
export interface OrgKey {
  privateKey: string;
  publicKey: string; // uncompressed, 0x04...
  address: string;
}

export function orgKeyFromPrivate(privateKey: string): OrgKey {
  const sk = new SigningKey(privateKey);
  return { privateKey: sk.privateKey, publicKey: sk.publicKey, address: computeAddress(sk.publicKey) };
}

export function randomOrgKey(): OrgKey {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return orgKeyFromPrivate("0x" + Buffer.from(bytes).toString("hex"));
}

/** Normalises any encoding of a secp256k1 public key to the uncompressed 0x04 form; throws if invalid. */
export function uncompressedPublicKey(publicKey: string): string {
  return SigningKey.computePublicKey(publicKey, false);
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** The JWK of a secp256k1 key (with `d` when a private key is given), for jose's ES256K. */
export function secp256k1Jwk(publicKey: string, privateKey?: string): JWK {
  const pub = getBytes(uncompressedPublicKey(publicKey));
  return {
    kty: "EC",
    crv: "secp256k1",
    x: b64url(pub.slice(1, 33)),
    y: b64url(pub.slice(33, 65)),
    ...(privateKey ? { d: b64url(getBytes(privateKey)) } : {}),
  };
}
