import { inboundAllowsTo, type NsgRule, type PolicyRule, resources, type SynthJson } from "./types.js";

const PUBLIC_IP_REF = /^\$\{azurerm_public_ip\.([^.]+)\.ip_address\}$/;

/** Public IP resource name -> the private addresses of the NIC configurations that carry it. */
function publicIpHolders(synth: SynthJson): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [, nic] of resources(synth, "azurerm_network_interface")) {
    for (const c of (nic.ip_configuration ?? []) as { public_ip_address_id?: string; private_ip_address?: string }[]) {
      const name = /^\$\{azurerm_public_ip\.([^.]+)\.id\}$/.exec(c.public_ip_address_id ?? "")?.[1];
      if (name && c.private_ip_address) out.set(name, [...(out.get(name) ?? []), c.private_ip_address]);
    }
  }
  return out;
}

/** Why a rule's source is not the federation peer's own public IP; undefined when it is. */
function notThePeer(r: NsgRule, holders: Map<string, string[]>, receivers: Set<string | undefined>): string | undefined {
  const ip = PUBLIC_IP_REF.exec(r.source_address_prefix ?? "")?.[1];
  if (!ip) return `opens 5061 to ${r.source_address_prefix ?? "*"}, which is no public IP resource`;
  const fronts = holders.get(ip) ?? [];
  if (fronts.length === 0) return `opens 5061 to public IP ${ip}, which no network interface carries (no peer's address)`;
  if (fronts.includes(r.destination_address_prefix ?? "")) return `opens 5061 to public IP ${ip}, the destination's own`;
  // The peer is the other federation party: the host behind it takes 5061 too (mutual TLS both ways).
  if (!fronts.some((a) => receivers.has(a)))
    return `opens 5061 to public IP ${ip}, whose host (${fronts.join(", ")}) is no federation peer: nothing there takes 5061`;
  return undefined;
}

/**
 * SIP over TLS (5061) is allowed only from the federation peer's own public IP: a public IP
 * resource carried by the other party's network interface, whose host takes 5061 itself. Any other
 * public IP of the stack (the test phones', say) or the destination's own is refused.
 */
export const federationBetweenPublicAddresses: PolicyRule = (synth) => {
  const allows = inboundAllowsTo(synth, 5061);
  const holders = publicIpHolders(synth);
  const receivers = new Set(allows.map(([, r]) => r.destination_address_prefix));
  return allows.flatMap(([resource, r]) => {
    const why = notThePeer(r, holders, receivers);
    return why
      ? [
          {
            rule: "federation-between-public-addresses",
            resource,
            message: `rule ${r.name} ${why}; allowed: only the peer's public IP (the azurerm_public_ip of the other federation party)`,
          },
        ]
      : [];
  });
};
