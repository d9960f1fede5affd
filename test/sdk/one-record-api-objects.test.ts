import { expect } from "chai";
import {
  API_SCHEMAS,
  AccessDelegation,
  ActionRequest,
  ApiError,
  Change,
  Notification,
  Subscription,
  apiClassOf,
  apiObjectOf,
} from "../../sdk/one-record/api-objects";
import { CARGO, XSD } from "../../sdk/one-record/vocabulary";

describe("ONE Record API objects", function () {
  const api = { api: "https://onerecord.iata.org/ns/api#" };
  it("Change: operations are ADD or DELETE", function () {
    const change = (op: string) => ({
      "@context": api,
      "@type": "api:Change",
      "api:hasLogisticsObject": { "@id": "https://hub.example/logistics-objects/a" },
      "api:hasOperation": [
        {
          "@type": "api:Operation",
          "api:op": { "@id": `api:${op}` },
          "api:s": "https://hub.example/logistics-objects/a",
          "api:p": `${CARGO}goodsDescription`,
          "api:o": [{ "api:hasDatatype": `${XSD}string`, "api:hasValue": "Books" }],
        },
      ],
      "api:hasRevision": 1,
    });
    expect(Change.safeParse(apiObjectOf(change("ADD"))).success).to.equal(true);
    const bad = Change.safeParse(apiObjectOf(change("REPLACE")));
    expect(bad.success).to.equal(false);
    // One operation written as a one-element array is that operation (JSON-LD sets): no index in the path.
    expect(bad.error?.issues[0].path.join(".")).to.equal("hasOperation.op.@id");
  });

  it("Subscription: topic type is checked", function () {
    const sub = (topicType: string) => ({
      "@context": api,
      "@type": "api:Subscription",
      "api:hasSubscriber": { "@id": "x:o" },
      "api:hasTopicType": { "@id": `api:${topicType}` },
      "api:hasTopic": `${CARGO}Shipment`,
    });
    expect(Subscription.safeParse(apiObjectOf(sub("LOGISTICS_OBJECT_TYPE"))).success).to.equal(true);
    expect(Subscription.safeParse(apiObjectOf(sub("EVERYTHING"))).success).to.equal(false);
  });

  it("action requests: the five states of the specification (and ACKNOWLEDGED for verifications)", function () {
    const req = (status: string) => ({ "@context": api, "@type": "api:ChangeRequest", "api:hasRequestStatus": { "@id": `api:REQUEST_${status}` } });
    for (const status of ["PENDING", "ACCEPTED", "REJECTED", "FAILED", "REVOKED"])
      expect(ActionRequest.safeParse(apiObjectOf(req(status))).success, status).to.equal(true);
    expect(ActionRequest.safeParse(apiObjectOf(req("MAYBE"))).error?.issues[0].path.join(".")).to.equal("hasRequestStatus.@id");
  });

  it("notifications: event types; access delegations: permissions", function () {
    const note = (type: string) => ({
      "@context": api,
      "@type": "api:Notification",
      "api:hasEventType": { "@id": `api:${type}` },
      "api:hasLogisticsObject": { "@id": "x:o" },
    });
    for (const type of ["LOGISTICS_OBJECT_CREATED", "LOGISTICS_OBJECT_UPDATED", "LOGISTICS_EVENT_RECEIVED", "CHANGE_REQUEST_ACCEPTED"])
      expect(Notification.safeParse(apiObjectOf(note(type))).success, type).to.equal(true);
    expect(Notification.safeParse(apiObjectOf(note("SOMETHING_HAPPENED"))).success).to.equal(false);
    const delegation = (permission: string) => ({
      "@context": api,
      "@type": "api:AccessDelegation",
      "api:hasPermission": { "@id": `api:${permission}` },
      "api:isRequestedFor": { "@id": "x:p" },
      "api:hasLogisticsObject": { "@id": "x:o" },
    });
    expect(AccessDelegation.safeParse(apiObjectOf(delegation("GET_LOGISTICS_OBJECT"))).success).to.equal(true);
    expect(AccessDelegation.safeParse(apiObjectOf(delegation("DELETE_EVERYTHING"))).success).to.equal(false);
  });

  it("errors need a title; the class is found from @type", function () {
    const err = { "@context": api, "@type": "api:Error", "api:hasErrorDetail": [{ "@type": "api:ErrorDetail", "api:hasCode": "404" }] };
    expect(apiClassOf(apiObjectOf(err))).to.equal("Error");
    expect(ApiError.safeParse(apiObjectOf(err)).error?.issues[0].path).to.deep.equal(["hasTitle"]);
    expect(ApiError.safeParse(apiObjectOf({ ...err, "api:hasTitle": "Not found" })).success).to.equal(true);
    expect(apiClassOf(apiObjectOf({ "@context": api, "@type": `${CARGO}Piece` }))).to.equal(undefined);
    expect(Object.keys(API_SCHEMAS)).to.include.members(["ServerInformation", "ChangeRequest", "SubscriptionRequest", "AuditTrail"]);
  });
});
