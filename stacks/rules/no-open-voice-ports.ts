import { isOpenSource, nsgRules, type PolicyRule, portRange, sourcesOf } from "./types.js";

/**
 * SIP (5060/5061) and RTP may never be allowed from anywhere: only from the lab's own addresses.
 * "Anywhere" is judged by the range a source covers (types.ts isOpenSource), not by its spelling.
 */
export const noOpenVoicePorts: PolicyRule = (synth) =>
  nsgRules(synth)
    .filter(([, r]) => r.access === "Allow" && r.direction === "Inbound" && sourcesOf(r).some(isOpenSource))
    .filter(([, r]) => {
      const range = portRange(r);
      return range !== undefined && !(range[0] === 22 && range[1] === 22);
    })
    .map(([resource, r]) => ({
      rule: "no-open-voice-ports",
      resource,
      message: `rule ${r.name} allows ports ${r.destination_port_range} from ${sourcesOf(r).join(", ")} (anyone, or a range wider than /8); allowed: a lab subnet or the peer's public address`,
    }));
