import type { Construct } from "constructs";
import { TerraformVariable } from "./cdktf.js";

/** The stack's Terraform variables (`cdktf deploy lab --var name=value`), as Terraform references. */
export interface LabVariables {
  /** Azure region; default westeurope */
  readonly location: string;
  /** OpenSSH public key of the VMs' admin user (required) */
  readonly sshPublicKey: string;
  /** the only CIDR SSH is allowed from (required; an IPv4 range of /8 or narrower) */
  readonly sshSourceRange: string;
  /** size of every VM; default Standard_B1ms */
  readonly vmSize: string;
  /** daily auto-shutdown, HHMM UTC; default 1900 */
  readonly autoShutdownTime: string;
}

/** The widest admin range SSH may be opened to: a /8 (a range wider than that is the internet). */
export const SSH_SOURCE_MIN_PREFIX = 8;

/** Declares the variables in the stack's scope (their construct IDs are the variable names). */
export function labVariables(scope: Construct): LabVariables {
  const location = new TerraformVariable(scope, "location", {
    type: "string",
    default: "westeurope",
    description: "Azure region of the lab",
  });
  const sshKey = new TerraformVariable(scope, "ssh_public_key", {
    type: "string",
    description: "OpenSSH public key for the VMs' admin user (no passwords)",
  });
  const sshFrom = new TerraformVariable(scope, "ssh_source_range", {
    type: "string",
    description: "the only address range SSH is allowed from (CIDR), e.g. your office's public address /32",
    validation: [
      {
        // Parsed as an IPv4 CIDR and its prefix compared, not the text: 0.0.0.0/1 is as open as 0.0.0.0/0.
        // Terraform's && does not short-circuit, hence try() around the prefix of a value that has none.
        condition: `\${can(regex("^[0-9]{1,3}(\\\\.[0-9]{1,3}){3}/[0-9]{1,2}$", var.ssh_source_range)) && can(cidrhost(var.ssh_source_range, 0)) && try(tonumber(split("/", var.ssh_source_range)[1]) >= ${SSH_SOURCE_MIN_PREFIX}, false)}`,
        errorMessage: `ssh_source_range must be one IPv4 CIDR range of /${SSH_SOURCE_MIN_PREFIX} or narrower, e.g. 198.51.100.7/32 (your office's public address).`,
      },
    ],
  });
  const vmSize = new TerraformVariable(scope, "vm_size", {
    type: "string",
    default: "Standard_B1ms",
    description: "size of every lab VM",
  });
  const shutdown = new TerraformVariable(scope, "auto_shutdown_time", {
    type: "string",
    default: "1900",
    description: "daily shutdown time (HHMM, UTC)",
  });
  return {
    location: location.stringValue,
    sshPublicKey: sshKey.stringValue,
    sshSourceRange: sshFrom.stringValue,
    vmSize: vmSize.stringValue,
    autoShutdownTime: shutdown.stringValue,
  };
}
