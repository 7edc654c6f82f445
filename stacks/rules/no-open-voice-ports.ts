import { nsgRules, OPEN_SOURCES, type PolicyRule, portRange } from "./types.js";

/** SIP (5060/5061) and RTP may never be allowed from anywhere: only from the lab's own addresses. */
export const noOpenVoicePorts: PolicyRule = (synth) =>
  nsgRules(synth)
    .filter(([, r]) => r.access === "Allow" && r.direction === "Inbound" && OPEN_SOURCES.includes(r.source_address_prefix ?? "*"))
    .filter(([, r]) => {
      const range = portRange(r);
      return range !== undefined && !(range[0] === 22 && range[1] === 22);
    })
    .map(([resource, r]) => ({
      rule: "no-open-voice-ports",
      resource,
      message: `rule ${r.name} allows ports ${r.destination_port_range} from ${r.source_address_prefix ?? "*"}; allowed: a lab subnet or the peer's public address`,
    }));
