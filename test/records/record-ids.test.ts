import { expect } from "chai";
import { isOwnRecordId } from "../../server/records/record-ids";

describe("record ids: a new record is named in its owner's namespace", function () {
  it("takes a UUID or an id under '<owner>:'", function () {
    expect(isOwnRecordId("swift-fwd", "Shipment", "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f")).to.equal(true);
    expect(isOwnRecordId("swift-fwd", "Shipment", "swift-fwd:hawb-77")).to.equal(true);
  });

  it("refuses bare ids, another owner's prefix, a prefix alone and a look-alike owner", function () {
    for (const id of ["hawb-77", "skyline-air:hawb-77", "swift-fwd:", "swift-fwdx:hawb-77", "swift-fw:hawb", "6f1c2d3e-4a5b-4c6d-8e7f"])
      expect(isOwnRecordId("swift-fwd", "Shipment", id), id).to.equal(false);
  });

  it("an EpcisEvent lives under 'epcis:<owner>:'; no other type may take the hub's prefixes", function () {
    expect(isOwnRecordId("aurora", "EpcisEvent", `epcis:aurora:${"a".repeat(64)}`)).to.equal(true);
    expect(isOwnRecordId("aurora", "EpcisEvent", `epcis:rival:${"a".repeat(64)}`)).to.equal(false);
    expect(isOwnRecordId("aurora", "EpcisEvent", "aurora:event-1")).to.equal(false);
    // An organisation named like a hub prefix still cannot reach into the hub's ids.
    expect(isOwnRecordId("epcis", "Shipment", `epcis:rival:${"a".repeat(64)}`)).to.equal(false);
    expect(isOwnRecordId("match", "Shipment", "match:platform:SO-1")).to.equal(false);
  });
});
