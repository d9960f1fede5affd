import type { CebContext, CebDirectory } from "../../sdk/ceb";

/**
 * E-port messages of the sample case (test/customs/fixtures.ts): a bonded (1210) import through
 * Hangzhou, written field by field from the enterprise-access specification's tables. `over` replaces
 * (or, with undefined, removes) head fields; `lineOver` the first goods line's.
 */

export const CODES = {
  platform: "3301960XYZ",
  seller: "3301960ABC",
  payFirm: "312228034T",
  carrier: "3101980KDY",
  broker: "3301980BRK",
  customsArea: "2991",
  portArea: "2921",
} as const;

export const DIRECTORY: CebDirectory = {
  enterprises: {
    [CODES.platform]: "shop-global",
    [CODES.seller]: "shop-global",
    [CODES.payFirm]: "pay-firm",
    [CODES.carrier]: "parcel-express",
    [CODES.broker]: "hz-broker",
  },
  customsAreas: { [CODES.customsArea]: { customsOffice: "hz-customs" }, [CODES.portArea]: { customsOffice: "hz-customs", port: "CNHGH" } },
};

export const ORDER_CONTEXT: CebContext = {
  supervisionMode: "1210",
  customsCode: CODES.customsArea,
  portCode: CODES.portArea,
  hsCodes: { "FC-50": "3304990099", "VG-90": "2106909090" },
  logisticsCode: CODES.carrier,
  agentCode: CODES.broker,
};
export const WAYBILL_CONTEXT: CebContext = {
  ebpCode: CODES.platform,
  origin: "HGH",
  destination: "HGH",
  shipper: { name: "Hangzhou Bonded Warehouse", country: "CN" },
};
export const LIST_CONTEXT: CebContext = { tax: 62.2, discount: 10, payTransactionId: "PAY-20261111-778899" };

export type FieldList = [string, string][];
type Over = Record<string, string | undefined>;

/** Fields with replacements applied in place; a replacement of a field not there is appended. */
function apply(fields: FieldList, over: Over = {}): FieldList {
  const out: FieldList = [];
  for (const [k, v] of fields) {
    if (!(k in over)) out.push([k, v]);
    else if (over[k] !== undefined) out.push([k, over[k]!]);
  }
  for (const [k, v] of Object.entries(over)) if (!fields.some(([f]) => f === k) && v !== undefined) out.push([k, v]);
  return out;
}

const group = (name: string, fields: FieldList, p: string) =>
  `<${p}${name}>${fields.map(([k, v]) => `<${p}${k}>${v.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</${p}${k}>`).join("")}</${p}${name}>`;

let guidCounter = 0;
/** A fresh upper-case UUID (deterministic per run). */
export const guid = (): string => {
  guidCounter += 1;
  return `4CDE1CFD-EDED-46B1-946C-${guidCounter.toString(16).toUpperCase().padStart(12, "0")}`;
};

const transfer = (copCode: string): FieldList => [
  ["copCode", copCode],
  ["copName", "Sender"],
  ["dxpMode", "DXP"],
  ["dxpId", "DXPENTTEST510001"],
];

export interface MessageOptions {
  over?: Over;
  lineOver?: Over;
  copCode?: string;
  /** "ceb" writes every element with a ceb: prefix; "" uses the default namespace. */
  prefix?: "" | "ceb";
  /** Extra XML inside the business element / root. */
  extraRoot?: string;
}

function message(
  type: string,
  element: string,
  head: [string, FieldList],
  lists: [string, FieldList[]] | undefined,
  copCode: string,
  o: MessageOptions,
): string {
  const p = o.prefix ? `${o.prefix}:` : "";
  const ns = o.prefix ? `xmlns:${o.prefix}="http://www.chinaport.gov.cn/ceb"` : `xmlns="http://www.chinaport.gov.cn/ceb"`;
  const lineXml = lists ? lists[1].map((l, i) => group(lists[0], i === 0 ? apply(l, o.lineOver) : l, p)).join("") : "";
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${p}${type}Message guid="${guid()}" version="1.0" ${ns}>` +
    `<${p}${element}>${group(head[0], apply(head[1], o.over), p)}${lineXml}</${p}${element}>` +
    `${group("BaseTransfer", transfer(o.copCode ?? copCode), p)}${o.extraRoot ?? ""}</${p}${type}Message>`
  );
}

const common = (): FieldList => [
  ["guid", guid()],
  ["appType", "1"],
  ["appTime", "20261111000500"],
  ["appStatus", "2"],
];

export const ORDER_LINES: FieldList[] = [
  [
    ["gnum", "1"],
    ["itemNo", "FC-50"],
    ["itemName", "Face cream 50 ml"],
    ["gmodel", "50 ml"],
    ["unit", "007"],
    ["qty", "2"],
    ["price", "199"],
    ["totalPrice", "398"],
    ["currency", "142"],
    ["country", "305"],
  ],
  [
    ["gnum", "2"],
    ["itemNo", "VG-90"],
    ["itemName", "Vitamin gummies"],
    ["gmodel", "90 pieces"],
    ["unit", "007"],
    ["qty", "3"],
    ["price", "88.5"],
    ["totalPrice", "265.5"],
    ["currency", "142"],
    ["country", "601"],
  ],
];

/** CEB311: the order (goods 663.5 + freight 20 + tax 62.2 - discount 10 = 735.7). */
export const ceb311 = (o: MessageOptions = {}): string =>
  message(
    "CEB311",
    "Order",
    [
      "OrderHead",
      [
        ...common(),
        ["orderType", "I"],
        ["orderNo", "SO-2026-000123"],
        ["ebpCode", CODES.platform],
        ["ebpName", "Shop Global"],
        ["ebcCode", CODES.seller],
        ["ebcName", "Shop Global Trading"],
        ["goodsValue", "663.5"],
        ["freight", "20"],
        ["discount", "10"],
        ["taxTotal", "62.2"],
        ["acturalPaid", "735.7"],
        ["currency", "142"],
        ["buyerRegNo", "buyer-778"],
        ["buyerName", "Zhang San"],
        ["buyerTelephone", "13800000000"],
        ["buyerIdType", "1"],
        ["buyerIdNumber", "11010519491231002X"],
        ["payCode", CODES.payFirm],
        ["payName", "Pay Firm"],
        ["payTransactionId", "PAY-20261111-778899"],
        ["consignee", "Zhang San"],
        ["consigneeTelephone", "13800000000"],
        ["consigneeAddress", "No. 18 Wensan Road, Xihu District, Hangzhou"],
      ],
    ],
    ["OrderList", ORDER_LINES],
    CODES.platform,
    o,
  );

/** CEB411: the payment of the order. */
export const ceb411 = (o: MessageOptions = {}): string =>
  message(
    "CEB411",
    "Payment",
    [
      "PaymentHead",
      [
        ...common(),
        ["payCode", CODES.payFirm],
        ["payName", "Pay Firm"],
        ["payTransactionId", "PAY-20261111-778899"],
        ["orderNo", "SO-2026-000123"],
        ["ebpCode", CODES.platform],
        ["ebpName", "Shop Global"],
        ["payerIdType", "1"],
        ["payerIdNumber", "11010519491231002X"],
        ["payerName", "Zhang San"],
        ["amountPaid", "735.7"],
        ["currency", "142"],
        ["payTime", "20261111000610"],
      ],
    ],
    undefined,
    CODES.payFirm,
    o,
  );

/** CEB511: the parcel's waybill. */
export const ceb511 = (o: MessageOptions = {}): string =>
  message(
    "CEB511",
    "Logistics",
    [
      "LogisticsHead",
      [
        ...common(),
        ["logisticsCode", CODES.carrier],
        ["logisticsName", "Parcel Express"],
        ["logisticsNo", "PE7788990011CN"],
        ["orderNo", "SO-2026-000123"],
        ["freight", "20"],
        ["insuredFee", "0"],
        ["currency", "142"],
        ["weight", "1.6"],
        ["packNo", "1"],
        ["goodsInfo", "Cosmetics and food supplements"],
        ["consignee", "Zhang San"],
        ["consigneeAddress", "No. 18 Wensan Road, Xihu District, Hangzhou"],
        ["consigneeTelephone", "13800000000"],
      ],
    ],
    undefined,
    CODES.carrier,
    o,
  );

const LIST_LINES: FieldList[] = [
  [
    ["gnum", "1"],
    ["itemNo", "FC-50"],
    ["gcode", "3304990099"],
    ["gname", "Face cream 50 ml"],
    ["gmodel", "50 ml"],
    ["country", "305"],
    ["currency", "142"],
    ["qty", "2"],
    ["unit", "007"],
    ["qty1", "0.1"],
    ["unit1", "035"],
    ["price", "199"],
    ["totalPrice", "398"],
  ],
  [
    ["gnum", "2"],
    ["itemNo", "VG-90"],
    ["gcode", "2106909090"],
    ["gname", "Vitamin gummies"],
    ["gmodel", "90 pieces"],
    ["country", "601"],
    ["currency", "142"],
    ["qty", "3"],
    ["unit", "007"],
    ["qty1", "0.6"],
    ["unit1", "035"],
    ["price", "88.5"],
    ["totalPrice", "265.5"],
  ],
];

/** CEB621: the broker's inventory list of the order. */
export const ceb621 = (o: MessageOptions = {}): string =>
  message(
    "CEB621",
    "Inventory",
    [
      "InventoryHead",
      [
        ...common(),
        ["orderNo", "SO-2026-000123"],
        ["ebpCode", CODES.platform],
        ["ebpName", "Shop Global"],
        ["ebcCode", CODES.seller],
        ["ebcName", "Shop Global Trading"],
        ["logisticsNo", "PE7788990011CN"],
        ["logisticsCode", CODES.carrier],
        ["logisticsName", "Parcel Express"],
        ["copNo", "HZB-2026-000123"],
        ["ieFlag", "I"],
        ["declTime", "20261111"],
        ["customsCode", CODES.customsArea],
        ["portCode", CODES.portArea],
        ["ieDate", "20261111"],
        ["buyerIdType", "1"],
        ["buyerIdNumber", "11010519491231002X"],
        ["buyerName", "Zhang San"],
        ["buyerTelephone", "13800000000"],
        ["consigneeAddress", "No. 18 Wensan Road, Xihu District, Hangzhou"],
        ["agentCode", CODES.broker],
        ["agentName", "Hangzhou Broker"],
        ["tradeMode", "1210"],
        ["trafMode", "Y"],
        ["country", "142"],
        ["freight", "20"],
        ["insuredFee", "0"],
        ["currency", "142"],
        ["packNo", "1"],
        ["grossWeight", "1.6"],
        ["netWeight", "1.2"],
      ],
    ],
    ["InventoryList", LIST_LINES],
    CODES.broker,
    o,
  );
