import { customDataFits } from "./custom-data-fits.js";
import { denyByDefault } from "./deny-by-default.js";
import { federationBetweenPublicAddresses } from "./federation-between-public-addresses.js";
import { noOpenVoicePorts } from "./no-open-voice-ports.js";
import { sshFromAdminRange } from "./ssh-from-admin-range.js";
import { standardStaticPublicIps } from "./standard-static-public-ips.js";
import { tagged } from "./tagged.js";
import type { PolicyRule, SynthJson, Violation } from "./types.js";
import { vmHygiene } from "./vm-hygiene.js";

export type { PolicyRule, SynthJson, Violation };

/** Every policy rule, run on every synth. */
export const POLICY_RULES: readonly PolicyRule[] = [
  noOpenVoicePorts,
  federationBetweenPublicAddresses,
  sshFromAdminRange,
  denyByDefault,
  vmHygiene,
  standardStaticPublicIps,
  tagged,
  customDataFits,
];

export function checkSynth(synth: SynthJson): Violation[] {
  return POLICY_RULES.flatMap((rule) => rule(synth));
}

export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `  - [${v.rule}] ${v.resource}: ${v.message}`).join("\n");
}
