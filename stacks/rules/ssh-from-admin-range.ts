import { inboundAllowsTo, type PolicyRule } from "./types.js";

/** SSH (22) is allowed only from the configured admin range (variable ssh_source_range). */
export const sshFromAdminRange: PolicyRule = (synth) =>
  inboundAllowsTo(synth, 22)
    .filter(([, r]) => r.source_address_prefix !== "${var.ssh_source_range}")
    .map(([resource, r]) => ({
      rule: "ssh-from-admin-range",
      resource,
      message: `rule ${r.name} allows SSH from ${r.source_address_prefix ?? "*"}; allowed: \${var.ssh_source_range}`,
    }));
