import { decodeBytes32String, encodeBytes32String } from "ethers";

/** Human-readable ethers ABIs of the two registries: the parts the hub and verifiers use. */

export const participantRegistryAbi: readonly string[] = [
  "function isActiveSigner(bytes32 orgId, address signer, uint256 at) view returns (bool)",
  "function orgOf(address signer) view returns (bytes32)",
  "function currentSigner(bytes32 orgId) view returns (address)",
  "function organization(bytes32 orgId) view returns (uint256 roles, bool suspended, uint64 admittedAt, address signer)",
  "function isAdmitted(bytes32 orgId) view returns (bool)",
  "function operator() view returns (address)",
  "function credentialRegistry() view returns (address)",
  "function setCredentialRegistry(address registry)",
  "function admit(bytes32 orgId, uint256 roles, address signer)",
  "function rotateKey(bytes32 orgId, address newSigner)",
  "function suspend(bytes32 orgId)",
  "function reinstate(bytes32 orgId)",
  "function setRoles(bytes32 orgId, uint256 roles)",
  "function keyHistory(bytes32 orgId) view returns (tuple(address signer, uint64 from, uint64 until)[])",
  "event OrganizationAdmitted(bytes32 indexed orgId, address indexed signer, uint256 roles)",
  "event KeyRotated(bytes32 indexed orgId, address indexed oldSigner, address indexed newSigner)",
  "event OrganizationSuspended(bytes32 indexed orgId)",
  "event OrganizationReinstated(bytes32 indexed orgId)",
  "error NotOperator()",
  "error ZeroAddress()",
  "error ZeroOrgId()",
  "error OrganizationExists(bytes32 orgId)",
  "error UnknownOrganization(bytes32 orgId)",
  "error SignerInUse(address signer)",
  "error AlreadySuspended(bytes32 orgId)",
  "error NotSuspended(bytes32 orgId)",
];

export const anchorRegistryAbi: readonly string[] = [
  "function anchor(bytes32 root, uint256 leafCount)",
  "function headOf(address anchorer) view returns (bytes32)",
  "function setAnchorer(address anchorer, bool allowed)",
  "function revoke(bytes32 digest, string reason)",
  "function revokeBySignature(address revoker, bytes32 digest, string reason, uint256 nonce, uint256 deadline, bytes signature)",
  "function nonces(address owner) view returns (uint256)",
  "function DOMAIN_SEPARATOR() view returns (bytes32)",
  "function revokedAt(bytes32 orgId, bytes32 digest) view returns (uint256)",
  "function participantRegistry() view returns (address)",
  "event Anchored(bytes32 indexed root, address indexed anchorer, uint256 leafCount, bytes32 head)",
  "event Revoked(bytes32 indexed digest, bytes32 indexed orgId, address revoker, string reason)",
  "event AnchorerChanged(address indexed anchorer, bool allowed, bytes32 head)",
  "error NotAdmin()",
  "error ZeroAddress()",
  "error NotAnchorer(address account)",
  "error EmptyRoot()",
  "error EmptyBatch()",
  "error NotActiveMember(address account)",
  "error AlreadyRevoked(bytes32 orgId, bytes32 digest)",
  "error SignatureExpired(uint256 deadline)",
  "error InvalidSignature(address signer)",
  "error InvalidAccountNonce(address account, uint256 currentNonce)",
];

/** The on-chain id of an organisation: its slug as a bytes32 short string (slugs are at most 31 bytes). */
export function orgIdToBytes32(slug: string): string {
  return encodeBytes32String(slug);
}

/** The slug of an on-chain organisation id. */
export function bytes32ToOrgId(b: string): string {
  return decodeBytes32String(b);
}

const CREDENTIAL_TUPLE =
  "tuple(bytes32 subject, bytes32 issuer, uint8 kind, uint64 issuedAt, uint64 validFrom, uint64 validUntil, uint64 revokedAt, string scope)";

export const credentialRegistryAbi: readonly string[] = [
  "function participantRegistry() view returns (address)",
  "function setIssuer(bytes32 issuer, uint256 kinds)",
  "function issue(bytes32 subject, uint8 kind, uint64 validFrom, uint64 validUntil, string scope) returns (uint256)",
  "function revoke(uint256 id, string reason)",
  "function issueBySignature(address issuer, bytes32 subject, uint8 kind, uint64 validFrom, uint64 validUntil, string scope, uint256 nonce, uint256 deadline, bytes signature) returns (uint256)",
  "function revokeBySignature(address revoker, uint256 id, string reason, uint256 nonce, uint256 deadline, bytes signature)",
  "function nonces(address owner) view returns (uint256)",
  "function DOMAIN_SEPARATOR() view returns (bytes32)",
  `function credentialsOf(bytes32 subject, uint8 kind) view returns (${CREDENTIAL_TUPLE}[])`,
  "function credentialIds(bytes32 subject, uint8 kind) view returns (uint256[])",
  `function credential(uint256 id) view returns (${CREDENTIAL_TUPLE})`,
  "function credentialCount() view returns (uint256)",
  "function issuerKinds(bytes32 issuer) view returns (uint256)",
  "event IssuerChanged(bytes32 indexed issuer, uint256 kinds)",
  "event CredentialIssued(uint256 indexed id, bytes32 indexed subject, uint8 indexed kind, bytes32 issuer, uint64 validFrom, uint64 validUntil, string scope)",
  "event CredentialRevoked(uint256 indexed id, bytes32 indexed subject, bytes32 revoker, string reason)",
  "error NotOperator()",
  "error ZeroAddress()",
  "error ZeroSubject()",
  "error NotIssuer(address account, uint8 kind)",
  "error BadValidity(uint64 validFrom, uint64 validUntil)",
  "error UnknownCredential(uint256 id)",
  "error AlreadyRevoked(uint256 id)",
  "error NotRevoker(address account, uint256 id)",
  "error SignatureExpired(uint256 deadline)",
  "error InvalidSignature(address signer)",
  "error InvalidAccountNonce(address account, uint256 currentNonce)",
];
