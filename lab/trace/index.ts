/**
 * See the call: the ladder of one call across every hop of a lab, from the lab's own captures.
 *
 *   const records = await readCapture(lab.topology);              // tshark in the lab's containers
 *   const ladder = ladderOf(records, lab.topology, { callIds });  // pure: correlation across hops
 *   renderLadderText(ladder);   renderLadderSvg(ladder, { idPrefix });   renderLadderDetails(...)
 *
 * `ladderOf` and the renderers need no Docker; one `readCapture` serves any number of ladders.
 */

export { readCapture } from "../capture/read.js";
export type { CaptureRecords, Endpoint, RtpStream, SipPacket } from "../capture/records.js";
export {
  CallNotFoundError,
  type CallSelector,
  type Ladder,
  type LadderMedia,
  type LadderMessage,
  type LadderParty,
  ladderOf,
} from "./ladder.js";
export { renderLadderDetails, renderLadderHtml, renderLadderSvg, type SvgOptions } from "./ladder-svg.js";
export { renderLadderText, type TextOptions } from "./ladder-text.js";
export type { KeyHeaders } from "./sip.js";
