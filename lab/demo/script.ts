import type { RoutingTable, UserRoute } from "../../constructs/routes.js";
import type { Topology, TopologyUser } from "../../constructs/topology.js";
import {
  type CheckResult,
  checkAutoAttendant,
  checkConnectivity,
  checkDeposit,
  checkDirectDepositAndMwi,
  checkSubscriberAccess,
} from "../calls/checks.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";

/** One step of the walk-through: what Lync would do, what the lab does, and the calls that show it. */
export interface DemoStep {
  readonly title: string;
  /** a sentence or two: what Lync Server 2013 and Exchange UM would do */
  readonly lync: string;
  /** a sentence or two: what the lab does instead, with its own names and numbers */
  readonly lab: string;
  readonly run: (lab: StartedLocalLab) => Promise<CheckResult[]>;
  /** whose mailbox to show afterwards */
  readonly mailboxOf?: TopologyUser;
}

/** The users the demo follows: the first one of each UM (on premises, hosted), so mixed mode shows both paths. */
export function featuredUsers(t: Topology): TopologyUser[] {
  const seen = new Set<string>();
  return t.users.filter((u) => !seen.has(u.mailboxNode) && seen.add(u.mailboxNode));
}

function where(route: UserRoute | undefined, u: TopologyUser): string {
  const uri = route ? `INVITE ${route.requestUri}` : "an INVITE";
  return u.mailbox === "hosted"
    ? `through the edge (mutual TLS 5061) to the hosted UM, ${uri}, tenant ${u.tenant}`
    : `to the on-prem UM, ${uri}`;
}

function userSteps(t: Topology, routes: RoutingTable | undefined, u: TopologyUser): DemoStep[] {
  const route = routes?.users.find((r) => r.user === u.name);
  const caller = t.users.find((x) => x.name !== u.name) ?? u;
  const hosted = u.mailbox === "hosted";
  const lyncPath = hosted
    ? "through the Access Edge to the hosting provider, the hosted voice mail policy's destination and organization in the Request-URI"
    : "to the user's Exchange UM server of the dial plan";
  const sa = t.contacts.find((c) => c.kind === "subscriber-access" && c.umNode === u.mailboxNode)?.displayNumber;
  const aa = t.contacts.find((c) => c.kind === "auto-attendant" && c.umNode === u.mailboxNode)?.displayNumber;
  const noAnswer: DemoStep = {
    title: `No answer: ${caller.name} calls ${u.name}, who does not pick up`,
    lync: `Lync rings ${u.name}'s endpoints; when the no-answer timer runs out, the front end's ExUM routing sends the call ${lyncPath}, with a Diversion header naming ${u.name}.`,
    lab: `${u.name}'s phone registers and rings unanswered; after ${t.noAnswerSeconds} s Kamailio drops the caller's own Diversion, adds one naming ${u.name}, and sends the call ${where(route, u)}. ${caller.name}'s phone plays a 1004 Hz tone into the recording.`,
    run: async (lab) => [await checkDeposit(lab, u, true, { noAnswerSeconds: t.noAnswerSeconds })],
    mailboxOf: u,
  };
  const steps: DemoStep[] = [
    {
      title: `Straight to voice mail, then the message-waiting light for ${u.name}`,
      lync: "A call whose Request-URI carries ;opaque=app:voicemail goes to UM without ringing; after the deposit Exchange UM sends an unsolicited NOTIFY (message-summary) that lights the phone's message-waiting indicator.",
      lab: `${caller.name} calls sip:${u.sipUser}@${t.sipDomain};opaque=app:voicemail; the front end diverts at once (reason=unconditional), the UM records, then sends NOTIFY Messages-Waiting: yes to ${u.name}'s phone.`,
      run: async (lab) => [await checkDirectDepositAndMwi(lab, u)],
      mailboxOf: u,
    },
  ];
  if (sa)
    steps.push({
      title: `Subscriber access: ${u.name} calls ${sa} to listen`,
      lync: "The subscriber-access number is an ExUM contact object; the user calls it, signs in with the PIN, hears the new message, and UM marks it read and updates the indicator.",
      lab: `${u.name} dials ${sa}; the front end sends it to the UM as subscriber-access${hosted ? " (through the edge)" : ""}; the PIN goes as RFC 4733 DTMF; the message moves to Old and a NOTIFY says what is left.`,
      run: async (lab) => [await checkSubscriberAccess(lab, u)],
      mailboxOf: u,
    });
  if (aa)
    steps.push({
      title: `Auto attendant: an outside caller reaches ${u.name} by extension`,
      lync: "The auto-attendant number is an ExUM contact object too; anyone may call it and key an extension, and UM transfers the call to that user.",
      lab: `phone-outside (no account) dials ${aa} and keys ${u.extension}#; the UM's attendant calls ${u.name} back through the front end${hosted ? " (and the edge)" : ""}, and ${u.name}'s phone answers.`,
      run: async (lab) => [await checkAutoAttendant(lab, u)],
    });
  // Last: its message-waiting NOTIFY is not checked, so it cannot confuse the steps that count messages.
  steps.push(noAnswer);
  return steps;
}

/** The walk-through of one running lab: connectivity, then per featured user the calls of ExUM. */
export function demoSteps(t: Topology, routes: RoutingTable | undefined): DemoStep[] {
  const connectivity: DemoStep = {
    title: "Connectivity to each UM (Test-CsExUMConnectivity)",
    lync: "Test-CsExUMConnectivity proves the front end reaches the user's Exchange UM, on premises or at the provider through the edge.",
    lab: "The front end sends SIP OPTIONS to each UM's voice-mail pilot; the hosted UM is reached through the edge, over mutual TLS on 5061.",
    run: (lab) => checkConnectivity(lab),
  };
  return [connectivity, ...featuredUsers(t).flatMap((u) => userSteps(t, routes, u))];
}
