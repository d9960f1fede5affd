/**
 * The China e-port's cross-border e-commerce messages (the enterprise-access format of the CEB
 * messages): import declarations read and turned into the hub's records, receipts written and read.
 */
export { CEB_NS, CebMessageError } from "./fields";
export { CEB_DECLARATIONS, readCebDeclaration, type CebDeclaration, type CebDeclarationType } from "./message";
export { CebContextSchema, CebDirectorySchema, SENDER_CODE, cebDrafts, cebDraftsOf, type CebContext, type CebDirectory, type CebDraft } from "./records";
export { CEB_RECEIPTS, RECEIPT_OF, RETURN_STATUS, readCebReceipt, writeCebReceipt, type CebReceipt, type CebReceiptType } from "./receipts";
export { JGS_COUNTRIES, JGS_CURRENCIES, c17Of, isoCountryOf, isoCurrencyOf } from "./codes";
