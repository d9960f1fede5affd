// The names a module exports, read from its source (export declarations, followed through
// `export * from`): what the package's public face offers, types included.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import ts from "typescript";

export interface ExportedNames {
  values: string[];
  types: string[];
}

export function exportedNames(file: string): ExportedNames {
  const values = new Set<string>();
  const types = new Set<string>();
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement)) {
      const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (exported) throw new Error(`${file}: the public face only re-exports (found a declaration exported in place)`);
      continue;
    }
    const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
    if (!statement.exportClause) {
      if (!from) throw new Error(`${file}: export * without a module`);
      const inner = exportedNames(resolve(dirname(file), `${from}.ts`));
      inner.values.forEach((n) => values.add(n));
      inner.types.forEach((n) => types.add(n));
      continue;
    }
    if (!ts.isNamedExports(statement.exportClause)) throw new Error(`${file}: export * as is not used in the public face`);
    for (const spec of statement.exportClause.elements) (statement.isTypeOnly || spec.isTypeOnly ? types : values).add(spec.name.text);
  }
  return { values: [...values].sort(), types: [...types].sort() };
}
