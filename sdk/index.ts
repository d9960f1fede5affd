// The SDK's public face on Node.js (the package's "." export): everything of sdk/browser.ts, plus
// the audit of an export file (reads files, runs worker threads) and the China e-port messages.
export * from "./browser";
export { auditExport, AuditInputError, type AuditOptions, type AuditReport, type Finding, type FindingCode } from "./audit/audit";
export { fileLines, readHeader } from "./audit/export-file";
export { formatReport } from "./audit/report";
export { CebMessageError, readCebDeclaration, readCebReceipt, type CebContext, type CebDirectory, type CebReceiptType } from "./ceb";
