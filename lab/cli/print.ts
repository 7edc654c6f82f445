import type { Topology } from "../../constructs/topology.js";

/** The topology as `up --json` / `status --json` print it (the README's contract). */
export function printableTopology(t: Topology, states?: Record<string, string>) {
  return {
    instance: t.instance,
    mode: t.mode,
    sipDomain: t.sipDomain,
    noAnswerSeconds: t.noAnswerSeconds,
    networks: t.networks,
    nodes: t.nodes.map(({ user: _user, publicAddress: _public, ...n }) => ({ ...n, ...(states ? { state: states[n.name] } : {}) })),
    users: t.users.map(({ phone: _phone, ...u }) => u),
    contacts: t.contacts,
  };
}

/** The topology for people: one line per network, node and user. */
export function describeTopology(t: Topology, states?: Record<string, string>): string {
  const lines = [`lab ${t.instance}: mode ${t.mode}, SIP domain ${t.sipDomain}, no-answer ${t.noAnswerSeconds} s`];
  for (const n of t.networks) lines.push(`  network ${n.role.padEnd(8)} ${n.subnet.padEnd(16)} ${n.name}`);
  for (const n of t.nodes) {
    const addrs = Object.entries(n.addresses)
      .map(([r, ip]) => `${r} ${ip}`)
      .join(", ");
    lines.push(`  node ${n.name.padEnd(12)} ${n.role.padEnd(9)} ${addrs.padEnd(36)} ${n.container}${states ? ` [${states[n.name]}]` : ""}`);
  }
  for (const u of t.users)
    lines.push(
      `  user ${u.name.padEnd(8)} ${u.extension}  ${u.sipUri.padEnd(26)} mailbox ${u.mailbox} on ${u.mailboxNode}${u.tenant ? ` (tenant ${u.tenant})` : ""}`,
    );
  return lines.join("\n");
}
