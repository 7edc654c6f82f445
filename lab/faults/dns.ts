import { federationSrvName } from "../../constructs/dns.js";
import { REMOVED_SUFFIX, recordFileOf } from "../../constructs/render/dnsmasq.js";
import { removeSrvRecord, restoreDnsRecords } from "../runtime/dns.js";
import { readNodeFile } from "./lab-control.js";
import { active, type FaultScenario, hasRole, inactive } from "./scenario.js";

/**
 * srv-missing: the `_sipfederationtls._tcp.<sip domain>` SRV record disappears from the lab DNS
 * (the DNS runtime hook renames its record file and restarts that DNS server alone), so the
 * provider no longer finds the enterprise's access edge: MWI NOTIFY and the auto attendant's
 * transfers fail at the provider's proxy. Deposits do not use it: the edge reaches the provider by
 * its A record.
 */
export function srvMissing(): FaultScenario {
  return {
    name: "srv-missing",
    summary: "the _sipfederationtls._tcp SRV record of the SIP domain disappears from the lab DNS",
    symptom:
      "deposits still work both ways (the edge reaches the provider by its A record); the provider's proxy finds no access edge: MWI NOTIFY and the auto attendant's transfers fail",
    azure:
      "az network private-dns record-set srv delete -g umlab-<lab>-provider -z <sip domain> -n _sipfederationtls._tcp (put it back with cdktf deploy)",
    touches: ["dns"],
    clearOrder: 0,
    appliesTo: (t) => hasRole(t, "dns") && hasRole(t, "hosted-um"),
    async state(c) {
      const srv = federationSrvName(c.lab.topology);
      const removed = `/etc/umlab/${recordFileOf(srv)}${REMOVED_SUFFIX}`;
      for (const node of c.lab.topology.nodes.filter((n) => n.role === "dns")) {
        if (await readNodeFile(c.lab, node.name, removed)) return active(`${srv} taken out of ${node.name}`);
      }
      return inactive(`${srv} served`);
    },
    async inject(c) {
      const changed = await removeSrvRecord(c.lab);
      c.log(`  ${federationSrvName(c.lab.topology)} taken out of ${changed.join(", ") || "no DNS server (already out)"}`);
    },
    async clear(c) {
      const changed = await restoreDnsRecords(c.lab);
      if (changed.length > 0) c.log(`  records restored on ${changed.join(", ")}`);
    },
  };
}
