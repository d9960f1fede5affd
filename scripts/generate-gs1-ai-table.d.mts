/** Types of generate-gs1-ai-table.mjs (the generator of sdk/provenance/gs1/ai-table.ts). */
export function generate(text: string): string;
