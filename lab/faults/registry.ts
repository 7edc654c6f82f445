import { lit } from "../../constructs/errors.js";
import type { Topology } from "../../constructs/topology.js";
import { UsageError } from "../../nodes/usage-error.js";
import { certificateFault } from "./certificates.js";
import { srvMissing } from "./dns.js";
import { edgeSwitchFault } from "./edge-switches.js";
import { nodeDown } from "./node-down.js";
import type { FaultScenario } from "./scenario.js";

/** Every fault scenario `umlab fault` knows, in list order. */
export const FAULTS: readonly FaultScenario[] = [
  nodeDown("hosted-um-down", "hosted-um", {
    summary: "the hosted UM's container stops (its voice mail spool is kept)",
    symptom:
      "a caller diverted to a hosted mailbox gets 504 'Hosted UM unreachable via edge: no answer from <provider>:5061' in about 3 s; on-premises voice mail works; every message is there again after clear",
    azure: "on the hosted UM's VM: sudo docker stop umlab-hosted-um (clear: sudo docker start umlab-hosted-um)",
  }),
  nodeDown("onprem-um-down", "onprem-um", {
    summary: "the on-premises UM's container stops (its voice mail spool is kept)",
    symptom:
      "a caller diverted to an on-premises mailbox gets 504 'Voice mail unreachable: no answer from on-premises UM ...' in about 3 s; hosted voice mail works",
    azure: "on the on-premises UM's VM: sudo docker stop umlab-onprem-um (clear: sudo docker start umlab-onprem-um)",
  }),
  nodeDown("edge-down", "edge", {
    summary: "the edge's container stops (Access Edge and A/V edge: Kamailio and rtpengine)",
    symptom:
      "a caller diverted to a hosted mailbox gets 504 'Hosted voice mail unreachable: no answer from edge ...' in about 3 s; on-premises voice mail works; the provider cannot reach the enterprise (no MWI)",
    azure: "on the edge VM: sudo docker stop umlab-edge (clear: sudo docker start umlab-edge)",
  }),
  srvMissing(),
  certificateFault("cert-untrusted", "untrusted", {
    summary: "the hosted UM presents a certificate from another CA",
    symptom:
      "the edge refuses the TLS handshake (certificate not issued by the lab CA): a hosted deposit gets 504 'Hosted UM unreachable via edge' in about 3 s; on-premises voice mail works",
  }),
  certificateFault("cert-wrong-name", "wrong-name", {
    summary: "the hosted UM presents a lab-CA certificate issued to another name",
    symptom:
      "the chain verifies, so deposits still reach the hosted UM (Kamailio checks a server certificate's chain, not its name); the edge refuses the provider's own requests, MWI NOTIFY and the auto attendant's transfers, with 403 (UseSourceVerification)",
  }),
  certificateFault("cert-expired", "expired", {
    summary: "the hosted UM presents a lab-CA certificate that has expired",
    symptom:
      "the edge refuses the TLS handshake (certificate has expired): a hosted deposit gets 504 'Hosted UM unreachable via edge' in about 3 s; on-premises voice mail works",
  }),
  edgeSwitchFault(
    "provider-unverified",
    { table: "trust", key: "level", value: "AlwaysUnverifiable" },
    {
      summary: "the edge treats the provider as AlwaysUnverifiable (Lync: Set-CsHostingProvider -VerificationLevel)",
      symptom:
        "deposits work both ways; requests from the provider are marked unverified, so the front end refuses those that would reach a user (MWI NOTIFY, the auto attendant's transfer) with 403",
      azure:
        "on the edge VM: sudo docker exec umlab-edge kamcmd htable.sets trust level AlwaysUnverifiable (clear: kamcmd htable.delete trust level)",
    },
  ),
  edgeSwitchFault(
    "media-blocked",
    { table: "faults", key: "media", value: "blocked" },
    {
      summary: "the A/V edge drops the RTP of new calls through the edge, both ways; SIP still works",
      symptom:
        "a hosted deposit connects (200 OK) but no audio crosses the edge: the caller hears nothing and the UM stores nothing; on-premises voice mail works",
      azure:
        "on the edge VM: sudo docker exec umlab-edge kamcmd htable.sets faults media blocked (clear: kamcmd htable.delete faults media)",
    },
  ),
];

/** A scenario by name; anything else is a UsageError naming the scenarios there are. */
export function faultNamed(name: string): FaultScenario {
  const found = FAULTS.find((f) => f.name === name);
  if (!found) {
    throw new UsageError(
      lit`FaultUnknown`,
      `no fault scenario ${JSON.stringify(name)}; allowed: ${FAULTS.map((f) => f.name).join(", ")} (see umlab fault list)`,
    );
  }
  return found;
}

/** The scenarios a lab of this topology can take (an on-premises lab has no edge to break). */
export function faultsFor(topology: Topology): FaultScenario[] {
  return FAULTS.filter((f) => f.appliesTo(topology));
}
