import { COMMON, type Command, defineCommand } from "./command.js";

/**
 * The command line's verbs, in help order. Each handler module is imported only when its command
 * runs: `umlab --help` and `umlab help <command>` load no Docker library.
 */
export const COMMANDS: readonly Command[] = [
  defineCommand({
    name: "up",
    summary: "bring a lab up on local Docker networks and wait until it is healthy",
    description: `Builds the images if needed (content-tagged, reused while unchanged), creates the lab's internal
networks and containers, and waits until Kamailio answers OPTIONS and Asterisk is fully booted.
A start that fails removes everything it created.`,
    options: {
      mode: { type: "string", value: "MODE", help: "on-premises, cross-premises or mixed (default: mixed, or the lab file's mode)" },
      config: {
        type: "string",
        value: "FILE",
        help: "a TypeScript lab file: default export UmLab or ({ mode }) => UmLab (default: the built-in lab)",
      },
      instance: COMMON.instance,
      json: { type: "boolean", help: "print the lab as one JSON object on stdout (progress goes to stderr)" },
    },
    load: () => import("./commands/up.js"),
  }),
  defineCommand({
    name: "test",
    summary: "run the mode's call checks against the running lab",
    description: `Places real calls against the running lab: connectivity to each UM (through the edge where
hosted), network isolation, then for every user a no-answer deposit and an unregistered deposit,
each verified in the right mailbox, with the Diversion header and the caller's tone.
Reports each check like Test-CsExUMConnectivity: target, result, latency, diagnosis.`,
    options: {
      instance: COMMON.instance,
      user: { type: "string", multiple: true, value: "NAME", help: "only this user" },
      json: { type: "boolean", help: "print {instance, mode, passed, failed, results[]} on stdout" },
      report: {
        type: "string",
        value: "FILE",
        help: "also write one self-contained HTML page: topology, routing table, checks, each call, each deposit's recording",
      },
      config: { type: "string", value: "FILE", help: "the lab file the lab was started from, for the report's routing table" },
    },
    load: () => import("./commands/test.js"),
  }),
  defineCommand({
    name: "status",
    summary: "show the running lab (same JSON as up --json)",
    description: "Prints the running lab: networks, nodes (with container state), users. Exit code 1 unless every node runs.",
    options: { instance: COMMON.instance, json: COMMON.json },
    load: () => import("./commands/status.js"),
  }),
  defineCommand({
    name: "capture",
    summary: "export the lab's captures as pcap files (Wireshark, sngrep)",
    description: `The lab records every packet on its networks from \`up\` to \`down\` (tcpdump on each network's bridge,
in one capture container per lab), and the edge writes every SIP message it handles, its TLS legs
to the provider in clear, with Kamailio's sipdump. Writes one pcap per recording into DIR:
corp.pcap, provider.pcap, and edge-sip.pcap for the edge's SIP.
Live, inside the lab: docker exec -it umlab-<instance>-frontend sngrep`,
    options: {
      out: { type: "string", value: "DIR", help: "where to write the pcap files (default: .umlab/capture/<instance>)" },
      instance: COMMON.instance,
      json: { type: "boolean", help: "print {instance, dir, files[]} on stdout" },
    },
    load: () => import("./commands/capture.js"),
  }),
  defineCommand({
    name: "trace",
    summary: "the SIP ladder of one call across every hop, with its RTP (terminal or HTML)",
    description: `Draws one call from the lab's captures: phone, front end, edge, hosted or on-prem UM, one line per
message (time, arrow, method or status, the header that matters), RTP streams as bars with their
packet counts (a stream the SDP agreed on that never flowed shows as "no RTP"). Legs the UM opens
because of the call (the message-waiting NOTIFY, the auto attendant's transfer) are added, although
their Call-IDs differ (README, "See the call"). Without --call or --check: the last call.`,
    options: {
      call: { type: "string", value: "CALL-ID", help: "the call with this Call-ID (or the part before '@')" },
      last: { type: "boolean", help: "the last call placed (the default)" },
      check: { type: "string", value: "NAME", help: 'the calls of the last `umlab test` check of that name, e.g. "no-answer deposit"' },
      html: { type: "string", value: "FILE", help: "also write a self-contained HTML page: SVG ladder, each message's key headers" },
      instance: COMMON.instance,
      json: { type: "boolean", help: "print the ladder as JSON on stdout" },
    },
    load: () => import("./commands/trace.js"),
  }),
  defineCommand({
    name: "mailbox",
    summary: "list a user's voice messages, from whichever UM holds them",
    description:
      "Lists the user's voice messages (folder, caller, duration, tenant) from whichever UM holds them.\n<user> is a user name or extension.",
    arguments: ["<user>"],
    options: { instance: COMMON.instance, json: COMMON.json },
    load: () => import("./commands/mailbox.js"),
  }),
  defineCommand({
    name: "graph",
    summary: "draw the lab: networks, nodes, the edge, the voice-mail paths",
    description: `Draws the running lab (or, with --mode or --config, a mode of the model alone, without Docker):
its networks, each node with its role, FQDN and addresses, the edge joining the two networks, and
the paths of on-premises and hosted voice mail with the Request-URIs the front end builds.
In the terminal by default; --mermaid prints a Mermaid flowchart, --html writes a self-contained page (SVG).
The Azure stack's picture comes from the synthesized stack: npm run graph:azure -- --html FILE.`,
    options: {
      html: { type: "string", value: "FILE", help: "write a self-contained HTML page with the picture as SVG" },
      mermaid: { type: "boolean", help: "print the picture as a Mermaid flowchart" },
      mode: { type: "string", value: "MODE", help: "a mode of the model, without a running lab" },
      config: { type: "string", value: "FILE", help: "a TypeScript lab file (default: the built-in lab)" },
      instance: COMMON.instance,
    },
    load: () => import("./commands/graph.js"),
  }),
  defineCommand({
    name: "routes",
    summary: "the routing table: per user, mailbox, policy and scope, destination, path, Request-URI",
    description: `Prints where the front end sends each user's voice mail, read from the model (no Docker needed):
mailbox location, the hosted voice mail policy that applies and its scope (global, site or user),
destination and organization, the path (front end -> on-prem UM, or front end -> edge -> hosted UM)
and the Request-URI umlab builds (README, "Routing"). Then the ExUM contacts, the same way.
With a running lab (--instance, the default), its addresses and its mode; with --mode, the model alone.`,
    options: {
      mode: { type: "string", value: "MODE", help: "a mode of the model, without a running lab" },
      config: { type: "string", value: "FILE", help: "a TypeScript lab file (default: the built-in lab)" },
      instance: COMMON.instance,
      json: { type: "boolean", help: "print {mode, sipDomain, users[], contacts[]} on stdout" },
    },
    load: () => import("./commands/routes.js"),
  }),
  defineCommand({
    name: "demo",
    summary: "a guided walk-through for a room: bring a mode up, place the ExUM calls, show where they went",
    description: `Brings the mode's lab up (or uses the one running under that name), shows its picture and routing
table, then walks through the calls: connectivity, a no-answer deposit, straight to voice mail with the
message-waiting NOTIFY, subscriber access, the auto attendant (per UM, so mixed mode shows both paths).
Each step says what Lync would do and what the lab does, then shows the results and where the message
landed. Waits for Enter between steps unless --auto. The lab stays up afterwards.`,
    options: {
      mode: { type: "string", value: "MODE", help: "on-premises, cross-premises or mixed (default: mixed, or the lab file's mode)" },
      all: { type: "boolean", help: "every mode in turn (each lab removed before the next; the last stays up)" },
      auto: { type: "boolean", help: "do not wait for Enter between steps (CI, unattended rooms)" },
      report: {
        type: "string",
        value: "FILE",
        help: "write the HTML report of the demo's calls (with --all: one per mode, FILE-<mode>.html)",
      },
      config: { type: "string", value: "FILE", help: "a TypeScript lab file (default: the built-in lab)" },
      instance: COMMON.instance,
    },
    load: () => import("./commands/demo.js"),
  }),
  defineCommand({
    name: "fault",
    summary: "break the running lab on purpose, and put it back: list, inject, clear",
    description: `Fault scenarios for break-and-diagnose: each changes the running lab only (a node stops, the hosted
UM presents a bad certificate, an edge switch flips) and clear puts it back without restarting the
nodes the scenario did not touch. Which faults are active is read from the lab itself each time.
  umlab fault list                      the scenarios, what each touches, and which are active
  umlab fault inject <scenario>         break it (then: umlab test, to see what a user sees and why)
  umlab fault clear <scenario>|--all    put it back`,
    arguments: ["<list|inject|clear>", "[<scenario>]"],
    options: {
      instance: COMMON.instance,
      all: { type: "boolean", help: "with clear: every active fault" },
      json: COMMON.json,
    },
    load: () => import("./commands/fault.js"),
  }),
  defineCommand({
    name: "down",
    summary: "remove a lab's containers and networks",
    description: "Removes the lab's containers and networks (every umlab lab with --all). Safe to run twice.",
    options: {
      instance: COMMON.instance,
      all: { type: "boolean", help: "every umlab lab on this Docker engine" },
    },
    load: () => import("./commands/down.js"),
  }),
];
