// The SDK's public face on Node.js (the package's "." export): everything of sdk/browser.ts, plus
// the audit of an export file, which reads files and runs worker threads.
export * from "./browser";
export { auditExport, AuditInputError, type AuditOptions, type AuditReport, type Finding, type FindingCode } from "./audit/audit";
export { fileLines, readHeader } from "./audit/export-file";
export { formatReport } from "./audit/report";
