import { z } from "zod";

/** Roles of an organisation; the bit of each is its index (ParticipantRegistry stores a bitmask). */
export const ROLES = [
  "SHIPPER",
  "PLATFORM",
  "PAYMENT",
  "FORWARDER",
  "AIRLINE",
  "HANDLER",
  "BROKER",
  "CUSTOMS",
  "CERTIFIER",
  "AUDITOR",
  "OPERATOR",
  // Brand owners publish product batches and own their GTINs' provenance links (appended: bits are indices).
  "BRAND",
  // Accreditation bodies: issue credentials on chain (CredentialRegistry) for the kinds the operator allows them.
  "ACCREDITOR",
] as const;

export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export function rolesToMask(roles: readonly Role[]): bigint {
  return roles.reduce((mask, r) => mask | (1n << BigInt(ROLES.indexOf(r))), 0n);
}

export function maskToRoles(mask: bigint): Role[] {
  return ROLES.filter((_, i) => (mask >> BigInt(i)) & 1n);
}
