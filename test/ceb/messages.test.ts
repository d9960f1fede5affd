// The e-port's import declarations and receipts (issue 19.1), tested from the rules of the
// enterprise-access message specification: the field tables (names, formats, required), the code
// lists, appType/appStatus, and who may send what. No hub: the conversion is the SDK's.
import { expect } from "chai";
import { CebMessageError, cebDraftsOf, readCebReceipt, writeCebReceipt, type CebContext, type CebDraft } from "../../sdk/ceb";
import { CODES, DIRECTORY, LIST_CONTEXT, ORDER_CONTEXT, WAYBILL_CONTEXT, ceb311, ceb411, ceb511, ceb621, guid } from "./fixtures";

const convert = (xml: string, context: CebContext, signer: string): CebDraft[] => cebDraftsOf(xml, DIRECTORY, context, signer);

/** The CebMessageError of a conversion (fails if it converts). */
function refusal(xml: string, context: CebContext, signer: string): CebMessageError {
  try {
    convert(xml, context, signer);
  } catch (e) {
    if (e instanceof CebMessageError) return e;
    throw e;
  }
  throw new Error("converted, expected a refusal");
}

describe("e-port messages: import declarations into the hub's records", function () {
  it("CEB311: an order, its money as declared (acturalPaid = goodsValue + freight + taxTotal - discount), codes as ISO, times as China time", function () {
    const [draft] = convert(ceb311(), ORDER_CONTEXT, "shop-global");
    expect(draft!.type).to.equal("Order");
    expect(draft!.id).to.equal("shop-global:ceb-order:SO-2026-000123");
    expect(draft!.change).to.equal(false);
    const body = draft!.body as CebDraft<"Order">["body"];
    expect(body).to.include({ orderNumber: "SO-2026-000123", supervisionMode: "1210", direction: "IMPORT", customsOffice: "hz-customs", port: "CNHGH" });
    expect(body).to.include({ currency: "CNY", goodsValue: 663.5, freight: 20, insurance: 0, discount: 10, tax: 62.2, total: 735.7 });
    expect(body.orderedAt).to.equal("2026-11-11T00:05:00+08:00");
    expect(body.buyer).to.deep.equal({ name: "Zhang San", idType: "ID_CARD", idNumber: "11010519491231002X" });
    expect(body.lines.map((l) => [l.lineNo, l.hsCode, l.originCountry, l.unit])).to.deep.equal([
      [1, "3304990099", "FR", "007"],
      [2, "2106909090", "AU", "007"],
    ]);
    expect(body).to.include({ paymentProvider: "pay-firm", logisticsProvider: "parcel-express", declarant: "hz-broker" });
    expect(body.ceb).to.deep.include({ message: "CEB311" });
    expect(body.ceb!.codes).to.include({ ebpCode: CODES.platform, ebcCode: CODES.seller });
  });

  it("CEB411, CEB511 and CEB621: the payment, the parcel waybill (airports and shipper from the context) and the list (tax from the context)", function () {
    const [payment] = convert(ceb411(), {}, "pay-firm");
    expect(payment!.type).to.equal("Payment");
    expect(payment!.body).to.include({
      transactionNumber: "PAY-20261111-778899",
      platform: "shop-global",
      amount: 735.7,
      currency: "CNY",
      paidAt: "2026-11-11T00:06:10+08:00",
    });
    const [waybill] = convert(ceb511(), WAYBILL_CONTEXT, "parcel-express");
    expect(waybill!.body).to.include({ waybillType: "PARCEL", waybillNumber: "PE7788990011CN", origin: "HGH", platform: "shop-global", pieceCount: 1 });
    expect(waybill!.body).to.deep.include({ grossWeight: { value: 1.6, unit: "KGM" } });
    const [list] = convert(ceb621(), LIST_CONTEXT, "hz-broker");
    const body = list!.body as CebDraft<"CustomsDeclaration">["body"];
    expect(body).to.include({
      declarationNumber: "HZB-2026-000123",
      supervisionMode: "1210",
      customsOffice: "hz-customs",
      port: "CNHGH",
      waybillNumber: "PE7788990011CN",
    });
    // The list has no goods value or total: the lines' sum, and goods + freight + insurance + tax - discount.
    expect(body).to.include({ goodsValue: 663.5, tax: 62.2, discount: 10, total: 735.7 });
    expect(body.netWeight).to.deep.equal({ value: 1.2, unit: "KGM" });
  });

  it("the namespace, not the prefix: a ceb:-prefixed message converts to the same record", function () {
    const plain = convert(ceb311(), ORDER_CONTEXT, "shop-global")[0]!;
    const prefixed = convert(ceb311({ prefix: "ceb" }), ORDER_CONTEXT, "shop-global")[0]!;
    const withoutSource = (d: CebDraft) => ({ ...d.body, ceb: undefined });
    expect(withoutSource(prefixed)).to.deep.equal(withoutSource(plain));
  });

  it("appType 2 is a change (the record's next version); appType 3 (delete) and appStatus 1 (saved, not declared) are refused naming the element", function () {
    expect(convert(ceb311({ over: { appType: "2" } }), ORDER_CONTEXT, "shop-global")[0]!.change).to.equal(true);
    const del = refusal(ceb311({ over: { appType: "3" } }), ORDER_CONTEXT, "shop-global");
    expect(del.rule).to.equal("app-type");
    expect(del.path).to.match(/\/Order\/OrderHead\/appType$/);
    const saved = refusal(ceb411({ over: { appStatus: "1" } }), {}, "pay-firm");
    expect([saved.rule, saved.path.split("/").pop()]).to.deep.equal(["app-status", "appStatus"]);
  });

  it("who may say it: the sender's own code (ebpCode, payCode, logisticsCode, agentCode) and the transmitter's copCode must be the signer's", function () {
    const byPayer = refusal(ceb311({ copCode: CODES.payFirm }), ORDER_CONTEXT, "pay-firm");
    expect([byPayer.rule, byPayer.path.split("/").pop()]).to.deep.equal(["sender", "ebpCode"]);
    const transmitted = refusal(ceb411({ copCode: CODES.platform }), {}, "pay-firm");
    expect([transmitted.rule, transmitted.path.split("/").pop()]).to.deep.equal(["sender", "copCode"]);
    const unknown = refusal(ceb511({ over: { logisticsCode: "9999999999" }, copCode: CODES.carrier }), WAYBILL_CONTEXT, "parcel-express");
    expect([unknown.rule, unknown.path.split("/").pop()]).to.deep.equal(["directory", "logisticsCode"]);
  });

  it("the field tables: a missing required element, an unknown one, a repeated one and a value out of its format are refused naming the element", function () {
    const cases: [string, string, string][] = [
      [ceb311({ over: { buyerIdNumber: undefined } }), "required", "buyerIdNumber"],
      [ceb311({ over: { buyerNickname: "zs" } }), "unknown-element", "buyerNickname"],
      [ceb311({ over: { orderNo: "X".repeat(61) } }), "format", "orderNo"], // C..60
      [ceb311({ over: { guid: "4cde1cfd-eded-46b1-946c-b8022e42fc94" } }), "format", "guid"], // upper case
      [ceb311({ over: { goodsValue: "663.500001" } }), "format", "goodsValue"], // N19,5
      [ceb311({ lineOver: { gnum: "12345" } }), "format", "gnum"], // N4
      [ceb311({ over: { appTime: "20261131000500" } }), "code", "appTime"], // no 31 November
      [ceb311({ lineOver: { country: "999" } }), "code", "country"],
      [ceb311({ over: { buyerIdType: "3" } }), "code", "buyerIdType"],
      [ceb621({ lineOver: { gcode: "330499009" } }), "format", "gcode"], // C10
    ];
    for (const [xml, rule, element] of cases) {
      const signer = xml.includes("CEB621Message") ? "hz-broker" : "shop-global";
      const e = refusal(xml, xml.includes("CEB621Message") ? LIST_CONTEXT : ORDER_CONTEXT, signer);
      expect([e.rule, e.path.split("/").pop()], e.message).to.deep.equal([rule, element]);
    }
  });

  it("the hub's record rules apply to what the message says, and the refusal names the element", function () {
    const line = refusal(ceb311({ lineOver: { totalPrice: "399" } }), ORDER_CONTEXT, "shop-global");
    expect(line.path).to.match(/OrderList\[1\]\/totalPrice$/);
    const total = refusal(ceb311({ over: { acturalPaid: "700" } }), ORDER_CONTEXT, "shop-global");
    expect(total.path.split("/").pop()).to.equal("acturalPaid");
    // The hub keeps money to 4 decimal places; the format allows 5.
    const fifth = refusal(ceb411({ over: { amountPaid: "735.70001" } }), {}, "pay-firm");
    expect(fifth.path.split("/").pop()).to.equal("amountPaid");
  });

  it("what the message does not carry comes from the context, and its absence is refused naming the context field", function () {
    expect(refusal(ceb511(), { ...WAYBILL_CONTEXT, origin: undefined }, "parcel-express").path).to.equal("context.origin");
    expect(refusal(ceb621(), {}, "hz-broker").path).to.equal("context.tax");
    expect(refusal(ceb311(), { ...ORDER_CONTEXT, hsCodes: {} }, "shop-global").path).to.match(/OrderList\[1\]\/itemNo$/);
  });

  it("the message's structure: its root in the CEB namespace with a guid, one BaseTransfer with dxpMode DXP, at most 100 business elements, no DTD", function () {
    const wrongNs = ceb411().replace('xmlns="http://www.chinaport.gov.cn/ceb"', 'xmlns="urn:example"');
    expect(refusal(wrongNs, {}, "pay-firm").rule).to.equal("message-type");
    expect(refusal(ceb411().replace(/ guid="[^"]+"/, ""), {}, "pay-firm").path).to.match(/@guid$/);
    expect(refusal(ceb411().replace("<dxpMode>DXP</dxpMode>", "<dxpMode>FTP</dxpMode>"), {}, "pay-firm").path).to.match(/BaseTransfer\/dxpMode$/);
    expect(refusal(ceb411({ extraRoot: "<BaseTransfer/>" }), {}, "pay-firm").rule).to.equal("repeated");
    const dtd = ceb411().replace("<CEB411Message", '<!DOCTYPE x [<!ENTITY e "x">]><CEB411Message');
    expect(refusal(dtd, {}, "pay-firm").rule).to.equal("no-dtd");
    const one = ceb411();
    const payment = /<Payment>.*<\/Payment>/.exec(one)![0];
    const many = one.replace(payment, payment.repeat(101));
    expect(refusal(many, {}, "pay-firm").rule).to.equal("too-many");
    // An enveloped XML signature is the e-port client's to check: it is allowed and ignored.
    const signed = ceb411({ extraRoot: '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature>' });
    expect(convert(signed, {}, "pay-firm")).to.have.length(1);
  });

  it("several business elements: one record each, in order", function () {
    const xml = ceb311();
    const order = /<Order>.*<\/Order>/.exec(xml)![0];
    const second = order.replace("SO-2026-000123", "SO-2026-000124").replace(/<guid>[^<]+<\/guid>/, `<guid>${guid()}</guid>`);
    const drafts = convert(xml.replace(order, order + second), ORDER_CONTEXT, "shop-global");
    expect(drafts.map((d) => (d.body as { orderNumber: string }).orderNumber)).to.deep.equal(["SO-2026-000123", "SO-2026-000124"]);
  });
});

describe("e-port messages: receipts", function () {
  // The elements of each return, in the specification's order.
  const ORDER: Record<string, string[]> = {
    CEB312: ["guid", "ebpCode", "ebcCode", "orderNo", "returnStatus", "returnTime", "returnInfo"],
    CEB412: ["guid", "payCode", "payTransactionId", "returnStatus", "returnTime", "returnInfo"],
    CEB512: ["guid", "logisticsCode", "logisticsNo", "returnStatus", "returnTime", "returnInfo"],
    CEB622: ["guid", "customsCode", "ebpCode", "ebcCode", "agentCode", "copNo", "preNo", "invtNo", "returnStatus", "returnTime", "returnInfo"],
  };
  const tail = { returnStatus: "120", returnTime: "20261111000501123", returnInfo: "entered" };

  it("each receipt is written in the specification's element order and reads back under its rules", function () {
    const g = guid();
    const fields: Record<string, Record<string, string>> = {
      CEB312: { guid: g, ebpCode: CODES.platform, ebcCode: CODES.seller, orderNo: "SO-1", ...tail },
      CEB412: { guid: g, payCode: CODES.payFirm, payTransactionId: "PAY-1", ...tail },
      CEB512: { guid: g, logisticsCode: CODES.carrier, logisticsNo: "PE1", ...tail },
      CEB622: {
        guid: g,
        customsCode: "2991",
        ebpCode: CODES.platform,
        ebcCode: CODES.seller,
        agentCode: CODES.broker,
        copNo: "C1",
        preNo: "B20261111000000001",
        invtNo: "29912026I000000001",
        ...tail,
      },
    };
    for (const [type, f] of Object.entries(fields)) {
      const xml = writeCebReceipt({ type: type as "CEB312", guid: g, returns: [f] });
      expect(xml).to.match(
        new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?>\\s*<${type}Message guid="${g}" version="1.0" xmlns="http://www.chinaport.gov.cn/ceb">`),
      );
      const names = [...xml.matchAll(/<([A-Za-z]+)>[^<]*<\/\1>/g)].map((m) => m[1]);
      expect(names, type).to.deep.equal(ORDER[type]);
      const read = readCebReceipt(xml);
      expect(read.type).to.equal(type);
      expect(read.returns[0]!.get("returnTime")).to.match(/^\d{17}$/);
    }
  });

  it("a receipt is refused when a field breaks its format, and a 14-digit returnTime (the 2016 text) is read", function () {
    const g = guid();
    expect(() =>
      writeCebReceipt({ type: "CEB412", guid: g, returns: [{ guid: g, payCode: CODES.payFirm, payTransactionId: "P", ...tail, returnTime: "2026" }] }),
    ).to.throw(CebMessageError, /returnTime/);
    const xml = `<ceb:CEB412Message guid="${g}" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb"><ceb:PaymentReturn><ceb:guid>${g}</ceb:guid><ceb:payCode>${CODES.payFirm}</ceb:payCode><ceb:payTransactionId>P</ceb:payTransactionId><ceb:returnStatus>-301010</ceb:returnStatus><ceb:returnTime>20261111000501</ceb:returnTime><ceb:returnInfo>error</ceb:returnInfo></ceb:PaymentReturn></ceb:CEB412Message>`;
    expect(readCebReceipt(xml).returns[0]!.get("returnStatus")).to.equal("-301010");
    expect(() => readCebReceipt(xml.replace("<ceb:returnInfo>error</ceb:returnInfo>", ""))).to.throw(CebMessageError, /returnInfo/);
  });
});
