import { prepareRecord } from "../../sdk/digest";
import { signRecord } from "../../sdk/signature";
import type { SignedRecord } from "../../sdk/envelope";

/** What a floor worker measures: which check, for how long. */
export interface FloorJob {
  /** nativeRecoveries: libsecp256k1's ecdsaRecover alone, to show what the hub's recoverSigner adds to it. */
  kind: "recoveries" | "nativeRecoveries" | "digests";
  seconds: number;
}

// A fixed key: the floor's records must not depend on randomness beyond their salts.
const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

/** A signed Shipment-like record of realistic size (nine fields, nested parties). */
export function floorRecord(i: number): SignedRecord {
  const body = {
    goodsDescription: `Lithium-ion batteries, UN3480 — consignment ${i}`,
    totalGrossWeight: { value: 100 + ((i * 37) % 5000) + 0.5, unit: "KGM" },
    pieceCount: 1 + (i % 48),
    shipper: { name: `Shipper Company ${i % 977} GmbH`, country: "DE", address: `Industriestraße ${i % 200}, 60549 Frankfurt` },
    consignee: { name: `Consignee Corp ${i % 1013}`, country: "US", address: `${i % 900} Cargo Plaza, Jamaica NY 11430` },
    origin: "FRA",
    destination: "JFK",
    incoterms: "DAP",
    waybillNumber: `020-${String(1000000 + i).padStart(7, "0")}`,
  };
  return signRecord(KEY, prepareRecord({ type: "Shipment", id: `floor-${i}`, version: 1, owner: "floor-org" }, body));
}
