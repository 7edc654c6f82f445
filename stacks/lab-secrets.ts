import { randomInt } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { UmLab } from "../constructs/lab.js";

/** A user's secrets on Azure: the SIP digest password and the voice-mail PIN. */
export interface UserSecrets {
  readonly password: string;
  readonly pin: string;
}

/** Letters and digits that cannot be misread (no 0/O, 1/l/I): people type these into phones. */
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
const PASSWORD_LENGTH = 20;
const PIN_DIGITS = 6;

function generated(): UserSecrets {
  const password = Array.from({ length: PASSWORD_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  const pin = String(randomInt(10 ** PIN_DIGITS)).padStart(PIN_DIGITS, "0");
  return { password, pin };
}

function isSecrets(x: unknown): x is UserSecrets {
  const s = x as Partial<UserSecrets> | undefined;
  return typeof s?.password === "string" && typeof s.pin === "string";
}

/**
 * The Azure lab's passwords and PINs, one pair per user, generated at random the first time and
 * kept beside the lab's PKI in .umlab/pki/<lab>/users.json (owner-only, never committed): a lab
 * on the internet must not run with the documented local defaults ("alice-Secret1", "1111"), and
 * keeping them keeps custom_data, and so the VMs, unchanged from one synth to the next. A user
 * added to the lab gets a pair of its own; delete the file to rotate them all.
 */
export function cachedLabSecrets(labId: string, users: readonly string[], root = ".umlab/pki"): Record<string, UserSecrets> {
  const dir = join(root, labId);
  const file = join(dir, "users.json");
  let known: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      known = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch {
      known = {};
    }
  }
  const out: Record<string, UserSecrets> = {};
  let changed = !existsSync(file);
  for (const name of users) {
    const k = known[name];
    if (isSecrets(k)) out[name] = { password: k.password, pin: k.pin };
    else {
      out[name] = generated();
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Written whole and renamed into place: two synths at once never read half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ ...known, ...out }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  }
  chmodSync(file, 0o600);
  return out;
}

/**
 * Gives every user of `lab` its generated Azure password and PIN (cachedLabSecrets) in place of
 * the ones the lab file declares; the model's own rules apply to them. Returns the file's folder.
 */
export function useGeneratedSecrets(lab: UmLab, root = ".umlab/pki"): string {
  const secrets = cachedLabSecrets(
    lab.node.id,
    lab.users.map((u) => u.name),
    root,
  );
  for (const u of lab.users) u.useSecrets(secrets[u.name] as UserSecrets);
  return join(root, lab.node.id, "users.json");
}
