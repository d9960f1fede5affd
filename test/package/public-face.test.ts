import { expect } from "chai";
import { join } from "node:path";
import { exportedNames } from "./public-face";

// The SDK's public face, name by name (reviewed): adding or dropping a name is a decision about the
// package's API, taken by editing these lists along with sdk/browser.ts or sdk/index.ts.
const BROWSER_VALUES = [
  "AnchorProofSchema",
  "CaptureDocumentSchema",
  "DELIVERY_HEADER",
  "DigitalLinkError",
  "EpcisDocumentSchema",
  "EpcisEventSchema",
  "EpcisXmlError",
  "EventHashError",
  "HubClient",
  "HubError",
  "OneRecordClient",
  "ProductStorySchema",
  "RECORD_TYPES",
  "ROLES",
  "SIGNATURE_HEADER",
  "SignedRecordSchema",
  "TIMESTAMP_HEADER",
  "UnsignedRecordSchema",
  "VerdictSchema",
  "canonicalJson",
  "checkResolvedProof",
  "classifyIdentifier",
  "compressDigitalLink",
  "computeDigest",
  "consolidation",
  "containmentOf",
  "custodyChain",
  "custodyHandovers",
  "custodyStatus",
  "epcisDocumentToXml",
  "epcisQueryString",
  "epcisXmlToDocument",
  "eventHash",
  "formatDigitalLink",
  "formatDigitalLinkUri",
  "isRecordType",
  "logisticsObjectContainmentOf",
  "merkleLeaf",
  "normalizeGtin",
  "orgKeyFromPrivate",
  "parseDigitalLink",
  "parseDigitalLinkUri",
  "randomOrgKey",
  "recoverSigner",
  "redact",
  "relayRevocation",
  "resolve",
  "revokeRecord",
  "signRecord",
  "signRevocation",
  "verdictLines",
  "verifyMerkleProof",
  "verifyCustody",
  "verifyRecord",
  "verifyStory",
  "verifyWebhookSignature",
];
const BROWSER_TYPES = [
  "AccessRequestView",
  "AnchorProof",
  "CaptureDocument",
  "CaptureJob",
  "ChainInfo",
  "CreateAccessRequest",
  "CreateSubscription",
  "CredentialGrantInput",
  "CredentialView",
  "ConsolidationView",
  "ContainmentStatement",
  "CustodyChain",
  "CustodyHandoverView",
  "CustodyJudgement",
  "CustodyVerdict",
  "DeadLetter",
  "DigitalLinkUri",
  "EpcisEvent",
  "EpcisQueryParams",
  "EpcisQueryResult",
  "GrantScope",
  "GrantView",
  "HubClientOptions",
  "IdentifierKind",
  "Json",
  "JsonObject",
  "Notification",
  "ObjectRead",
  "OneRecordClientOptions",
  "OrgKey",
  "OrganizationView",
  "Problem",
  "ProductCode",
  "ProductStory",
  "Published",
  "QuotaCheck",
  "QuotaCheckRequest",
  "RecordBody",
  "RecordType",
  "ResolveAnswer",
  "ResolvedRecord",
  "RevokeInput",
  "Role",
  "SignedRecord",
  "SignedRevocation",
  "StepCheck",
  "StoredRecord",
  "SubscriptionView",
  "UnsignedRecord",
  "Verdict",
  "VerifyInput",
  "VerifyCustodyInput",
  "WebhookHeaders",
];
// Node.js only: the audit of an export file (files, worker threads); reading China e-port messages
// and receipts (HubClient.publishCebMessage throws CebMessageError).
const NODE_VALUES = ["AuditInputError", "auditExport", "fileLines", "formatReport", "readHeader", "CebMessageError", "readCebDeclaration", "readCebReceipt"];
const NODE_TYPES = ["AuditOptions", "AuditReport", "Finding", "FindingCode", "CebContext", "CebDirectory", "CebReceiptType"];

const SDK = join(__dirname, "..", "..", "sdk");
const sorted = (names: string[]) => [...names].sort();

describe("the SDK's public face (sdk/index.ts, sdk/browser.ts)", function () {
  it("sdk/browser.ts exports exactly the reviewed names, values and types", function () {
    expect(exportedNames(join(SDK, "browser.ts"))).to.deep.equal({ values: sorted(BROWSER_VALUES), types: sorted(BROWSER_TYPES) });
  });

  it("sdk/index.ts exports the browser's names and the Node.js-only ones, nothing else", function () {
    expect(exportedNames(join(SDK, "index.ts"))).to.deep.equal({
      values: sorted([...BROWSER_VALUES, ...NODE_VALUES]),
      types: sorted([...BROWSER_TYPES, ...NODE_TYPES]),
    });
  });

  it("at run time the modules hold exactly the listed values", async function () {
    expect(
      Object.keys(await import("../../sdk/browser"))
        .filter((k) => k !== "default")
        .sort(),
    ).to.deep.equal(sorted(BROWSER_VALUES));
    expect(
      Object.keys(await import("../../sdk/index"))
        .filter((k) => k !== "default")
        .sort(),
    ).to.deep.equal(sorted([...BROWSER_VALUES, ...NODE_VALUES]));
  });
});
