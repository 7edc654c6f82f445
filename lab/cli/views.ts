import Table from "cli-table3";
import pc from "picocolors";
import { pathLabel, policyLabel, type RoutingTable } from "../../constructs/routes.js";
import type { Topology } from "../../constructs/topology.js";
import type { Diagram } from "../../nodes/graph/diagram.js";
import type { CheckResult } from "../calls/checks.js";

// Terminal views for people: tables by cli-table3, colour by picocolors (which turns itself off
// when stdout is not a terminal, or with NO_COLOR), so piped output stays plain text.

function table(head: string[], rows: string[][]): string {
  const t = new Table({ head: head.map((h) => pc.bold(h)), style: { head: [], border: [] }, wordWrap: true });
  t.push(...rows);
  return t.toString();
}

/** The routing table as `umlab routes` prints it: users, then contacts. */
export function routesView(r: RoutingTable): string {
  const users = r.users.map((u) => [
    `${u.user} ${pc.dim(u.extension)}`,
    u.mailbox === "hosted" ? `hosted, tenant ${u.tenant}` : "on-premises",
    `${policyLabel(u.policy)}${u.policy && !u.policy.inUse ? pc.dim(" unused") : ""}`,
    u.policy?.destination ?? "-",
    u.policy?.organization ?? "-",
    pathLabel(u.path),
    u.requestUri,
  ]);
  const contacts = r.contacts.map((c) => [
    `${c.displayNumber} ${pc.dim(c.kind)}`,
    c.location === "hosted" ? `hosted, tenant ${c.tenant}` : "on-premises",
    policyLabel(c.policy),
    pathLabel(c.path),
    c.requestUri,
  ]);
  return [
    pc.bold(`${r.mode} lab, SIP domain ${r.sipDomain}: where the front end sends voice mail`),
    table(["user", "mailbox", "policy (scope)", "destination", "organization", "path", "Request-URI"], users),
    "",
    pc.bold("ExUM contacts"),
    table(["number", "UM", "policy (scope)", "path", "Request-URI"], contacts),
  ].join("\n");
}

/** The picture in the terminal: the same boxes and arrows as the SVG, as two tables. */
export function diagramView(d: Diagram, t: Topology): string {
  const nodes = d.nodes.map((n) => [pc.bold(n.title), n.lines.join("\n")]);
  const arrows = d.edges.map((e) => {
    const name = (id: string) => d.nodes.find((n) => n.id === id)?.title ?? d.groups.find((g) => g.id === id)?.title ?? id;
    return [`${name(e.from)} -> ${name(e.to)}`, e.label.join("\n")];
  });
  const nets = t.networks.map((n) => `  ${n.role.padEnd(9)} ${n.subnet.padEnd(15)} ${n.name}`);
  return [
    pc.bold(d.title),
    "networks:",
    ...nets,
    table(["node", "role, FQDN, addresses"], nodes),
    table(["path", "what travels"], arrows),
  ].join("\n");
}

/** PASS in green, FAIL in red. */
export function mark(r: CheckResult): string {
  return r.result === "Success" ? pc.green("PASS") : pc.red("FAIL");
}

/** Check results as a table: check, target, result, latency, diagnosis. */
export function checksView(results: readonly CheckResult[]): string {
  return table(
    ["", "check", "target", "latency", "diagnosis"],
    results.map((r) => [mark(r), r.check, r.target, `${r.latencyMs} ms`, r.diagnosis]),
  );
}
