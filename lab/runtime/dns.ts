import { dnsServerSide, federationSrvName } from "../../constructs/dns.js";
import { DNS_RECORDS_DIR, REMOVED_SUFFIX, recordFileOf } from "../../constructs/render/dnsmasq.js";
import type { Topology, TopologyNode } from "../../constructs/topology.js";
import { kindOf } from "../../nodes/kinds.js";
import { logText } from "./container-logs.js";
import { dockerApi } from "./docker.js";
import type { StartedLocalLab } from "./local-lab.js";

/**
 * The DNS server a node resolves through: its own side's (split horizon: the corporate network's
 * for the enterprise's nodes, the provider's for the provider's). None for the DNS servers
 * themselves, nor in a lab without them (on premises).
 */
export function resolverOf(t: Topology, node: TopologyNode): string | undefined {
  const side = kindOf(node).vm?.side;
  if (!side || node.role === "dns") return undefined;
  const server = t.nodes.find((n) => n.role === "dns" && dnsServerSide(n) === side);
  return server ? Object.values(server.addresses)[0] : undefined;
}

function dnsServers(lab: StartedLocalLab): TopologyNode[] {
  return lab.topology.nodes.filter((n) => n.role === "dns");
}

/** Restarts one DNS server (dnsmasq reads its records again) and waits until it answers. */
async function reload(lab: StartedLocalLab, node: TopologyNode): Promise<void> {
  await (await dockerApi()).getContainer(node.container).restart({ t: 2 });
  await lab.waitHealthy(node, 15_000);
}

/**
 * Runtime hooks on the running lab's DNS (the fault scenario `srv-missing`, and its `clear`).
 *
 * Each DNS server (dnsmasq) keeps one file per owner name under /etc/umlab/dns and reads that
 * folder through `conf-dir=...,*.conf`. dnsmasq reads `srv-host` records only when it starts (a
 * SIGHUP re-reads hosts files, not these), so taking a record out renames its file to
 * `*.conf.removed` and restarts that DNS server's container alone, in about a second: no other
 * node restarts. Its records carry TTL 0 and the provider's federation proxy keeps no DNS cache,
 * so the next lookup sees the change.
 *
 * `removeSrvRecord` takes out the SRV record `fqdn` (by default the shared SIP domain's
 * `_sipfederationtls._tcp` record) on every DNS server that has it; returns those servers' names.
 */
export async function removeSrvRecord(lab: StartedLocalLab, fqdn = federationSrvName(lab.topology)): Promise<string[]> {
  const file = `/etc/umlab/${recordFileOf(fqdn)}`;
  const changed: string[] = [];
  for (const node of dnsServers(lab)) {
    const r = await lab.exec(node.name, ["sh", "-c", `test -f '${file}' && mv '${file}' '${file}${REMOVED_SUFFIX}'`]);
    if (r.exitCode !== 0) continue;
    await reload(lab, node);
    changed.push(node.name);
  }
  return changed;
}

/** Puts back every record taken out on every DNS server (the rendered records again); returns the servers changed. */
export async function restoreDnsRecords(lab: StartedLocalLab): Promise<string[]> {
  const dir = `/etc/umlab/${DNS_RECORDS_DIR}`;
  const script = `n=0; for f in ${dir}/*.conf${REMOVED_SUFFIX}; do [ -f "$f" ] || continue; mv "$f" "\${f%${REMOVED_SUFFIX}}"; n=1; done; [ "$n" = 1 ]`;
  const changed: string[] = [];
  for (const node of dnsServers(lab)) {
    const r = await lab.exec(node.name, ["sh", "-c", script]);
    if (r.exitCode !== 0) continue;
    await reload(lab, node);
    changed.push(node.name);
  }
  return changed;
}

/** One line of a DNS server's query log. */
export interface DnsLogLine {
  /** the DNS server's node name */
  readonly node: string;
  /** when the server wrote it (ms since the epoch) */
  readonly at: number;
  /** dnsmasq's line, e.g. `query[SRV] _sipfederationtls._tcp.contoso.test from 10.62.0.40` */
  readonly text: string;
}

/**
 * What the lab's DNS servers logged since `sinceMs` (dnsmasq's log-queries, in the containers'
 * logs): every query, who asked, and what was answered (`config <name> is <SRV>|<address>|NXDOMAIN`).
 */
export async function dnsQueryLog(lab: StartedLocalLab, sinceMs = 0): Promise<DnsLogLine[]> {
  const api = await dockerApi();
  const out: DnsLogLine[] = [];
  for (const node of dnsServers(lab)) {
    const raw = await api.getContainer(node.container).logs({
      stdout: true,
      stderr: true,
      follow: false,
      timestamps: true,
      since: Math.floor(sinceMs / 1000),
    });
    for (const line of logText(Buffer.isBuffer(raw) ? raw : Buffer.from(raw)).split("\n")) {
      const m = /^(\S+) (?:dnsmasq\[\d+\]: )?(.*)$/.exec(line);
      const at = m ? Date.parse(m[1] as string) : Number.NaN;
      if (m && !Number.isNaN(at) && at >= sinceMs) out.push({ node: node.name, at, text: m[2] as string });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}
