import { lit } from "../../constructs/errors.js";
import { LabError } from "../runtime/docker.js";
import { type FaultScenario, hasRole, unknown } from "./scenario.js";

/**
 * srv-missing: the `_sipfederationtls._tcp.<sip domain>` SRV record disappears from the lab DNS, so
 * the provider no longer finds the enterprise's access edge (MWI NOTIFY, the auto attendant's
 * transfer). It needs the lab DNS and its run-time hook; until they land it stays in the registry,
 * marked pending, and refuses to be injected.
 */
export const SRV_MISSING_PENDING = "waits for the lab DNS servers and their run-time hook to take the SRV record out and put it back";

export function srvMissing(): FaultScenario {
  return {
    name: "srv-missing",
    summary: "the _sipfederationtls._tcp SRV record of the SIP domain disappears from the lab DNS",
    symptom:
      "deposits still work both ways (the edge reaches the provider by its A record); the provider's proxy finds no access edge: MWI NOTIFY and the auto attendant's transfers fail",
    azure:
      "az network private-dns record-set srv delete -g umlab-<lab>-provider -z <sip domain> -n _sipfederationtls._tcp (put it back with cdktf deploy)",
    pending: SRV_MISSING_PENDING,
    // The lab DNS servers, once they exist.
    touches: [],
    clearOrder: 0,
    appliesTo: (t) => hasRole(t, "hosted-um"),
    state: async () => unknown(`pending: ${SRV_MISSING_PENDING}`),
    async inject() {
      throw new LabError(lit`FaultPending`, `srv-missing cannot be injected yet: it ${SRV_MISSING_PENDING}`);
    },
    async clear() {},
  };
}
