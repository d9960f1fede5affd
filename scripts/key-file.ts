// Private key files, as the operator and members keep them: one 0x-hex secp256k1 key on a line, mode
// 0600. `admin keygen` and `cargoproof keys new` both make them here; the CLI reads them with --key.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { orgKeyFromPrivate, randomOrgKey, type OrgKey } from "../sdk/keys";

const KeySchema = z
  .string()
  .trim()
  .regex(/^0x[0-9a-fA-F]{64}$/, "a 32-byte hex private key");

/** A path the user typed, from the folder npm was run in (INIT_CWD), else the current one. */
export const userPath = (p: string) => resolve(process.env.INIT_CWD ?? process.cwd(), p);

/** A problem with a key file the user named: reported as one line, never as a stack trace. */
export class KeyFileError extends Error {}

/** A new random key written to `file` (an Error when it cannot be: mode 0600; an existing file is never overwritten: it may be the only copy of a funded key). */
export function newKeyFile(file: string): OrgKey {
  const key = randomOrgKey();
  try {
    writeFileSync(userPath(file), `${key.privateKey}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === "EEXIST" ? `${file} already exists: a key file is never overwritten` : `cannot write ${file}: ${code ?? (err as Error).message}`);
  }
  return key;
}

/** The key in `file`, or a KeyFileError naming what is wrong with it. */
export function readKeyFile(file: string): OrgKey {
  let text: string;
  try {
    text = readFileSync(userPath(file), "utf8");
  } catch (err) {
    throw new KeyFileError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parsePrivateKey(text, file);
}

/** A private key given as text (a file's content, an environment variable), `source` naming where it came from. */
export function parsePrivateKey(text: string, source: string): OrgKey {
  const parsed = KeySchema.safeParse(text);
  if (!parsed.success) throw new KeyFileError(`${source}: not a private key (${parsed.error.issues[0]!.message})`);
  return orgKeyFromPrivate(parsed.data);
}
