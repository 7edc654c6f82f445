import { describe, expect, it } from "vitest";
import type { Topology, TopologyNode } from "../../constructs/topology.js";
import { findCheck } from "../../lab/capture/check-calls.js";
import { parseCaptureFields, type RtpStream, type SipPacket } from "../../lab/capture/records.js";
import { CallNotFoundError, ladderOf } from "../../lab/trace/ladder.js";
import { renderLadderDetails, renderLadderSvg } from "../../lab/trace/ladder-svg.js";
import { renderLadderText } from "../../lab/trace/ladder-text.js";

/**
 * The ladder's correlation on a small capture shaped like a real lab's hosted no-answer deposit
 * (alice calls carol, carol's phone rings, the front end diverts through the edge to the hosted
 * UM, which then sends carol's phone a message-waiting NOTIFY with a new Call-ID). Built from SIP
 * text here: captures are never committed; test/e2e/trace.test.ts runs the same on a real call.
 */

const IP = {
  alice: "10.61.0.100",
  carol: "10.61.0.102",
  frontend: "10.61.0.10",
  edgeCorp: "10.61.0.30",
  edgeExt: "10.62.0.30",
  hosted: "10.62.0.40",
  onprem: "10.61.0.20",
  proxy: "10.62.0.50",
};

function node(name: string, role: TopologyNode["role"], addresses: TopologyNode["addresses"]): TopologyNode {
  return { name, role, container: `umlab-unit-${name}`, fqdn: `${name}.contoso.test`, addresses };
}

const topology: Topology = {
  lab: "lab",
  instance: "unit",
  mode: "mixed",
  sipDomain: "contoso.test",
  noAnswerSeconds: 3,
  networks: [],
  users: [],
  contacts: [],
  nodes: [
    node("frontend", "frontend", { corp: IP.frontend }),
    node("onprem-um", "onprem-um", { corp: IP.onprem }),
    node("edge", "edge", { corp: IP.edgeCorp, provider: IP.edgeExt }),
    node("hosted-um", "hosted-um", { provider: IP.hosted }),
    node("phone-alice", "phone", { corp: IP.alice }),
    node("phone-carol", "phone", { corp: IP.carol }),
    node("provider-proxy", "provider-proxy" as TopologyNode["role"], { provider: IP.proxy }),
  ],
};

const T0 = 1_800_000_000_000;
const CALL = "umlab-0a1b2c3d4e5f@10.61.0.100";
const ORG_URI = "sip:voicemail@exap.um.provider.test;umlab-org=contoso.test";
const TRUST =
  "ms-source-type=AuthorizedServer;ms-ep-fqdn=sip.contoso.test;ms-source-verified-user=verified;ms-source-network=federation;ms-remote-fqdn=exap.um.provider.test";

function sdp(ip: string, port: number): string {
  return [
    "v=0",
    `o=- 1 1 IN IP4 ${ip}`,
    "s=umlab",
    `c=IN IP4 ${ip}`,
    "t=0 0",
    `m=audio ${port} RTP/AVP 0 101`,
    "a=rtpmap:0 PCMU/8000",
    "",
  ].join("\r\n");
}

function message(firstLine: string, headers: Record<string, string>, body = ""): string {
  const all = { ...headers, ...(body ? { "Content-Type": "application/sdp" } : {}), "Content-Length": String(body.length) };
  return `${firstLine}\r\n${Object.entries(all)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\r\n")}\r\n\r\n${body}`;
}

interface Hop {
  readonly at: number;
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly seenBy: readonly string[];
}

function packets(hops: readonly Hop[]): SipPacket[] {
  return hops.flatMap((h) =>
    h.seenBy.map((capture, i) => ({
      at: T0 + h.at + i * 0.2,
      src: { ip: h.from, port: 5060 },
      dst: { ip: h.to, port: 5060 },
      text: h.text,
      capture,
    })),
  );
}

const dialog = (callId: string, cseq: string, toTag = "") => ({
  "Call-ID": callId,
  From: "<sip:alice@contoso.test>;tag=a1",
  To: `<sip:carol@contoso.test>${toTag}`,
  CSeq: cseq,
});

/** The deposit as the front end, the edge (packets and sipdump) and the hosted UM's captures see it. */
function deposit(): Hop[] {
  const invite = (ruri: string, div?: string) =>
    message(
      `INVITE ${ruri} SIP/2.0`,
      { Via: "SIP/2.0/UDP x;branch=z9hG4bK1", ...dialog(CALL, "2 INVITE"), ...(div ? { Diversion: div } : {}) },
      sdp(IP.alice, 6000),
    );
  const div = "<sip:carol@contoso.test>;reason=no-answer;counter=1";
  const ok = (ip: string, port: number) =>
    message("SIP/2.0 200 OK", { Via: "SIP/2.0/UDP x;branch=z9hG4bK1", ...dialog(CALL, "2 INVITE", ";tag=um1") }, sdp(ip, port));
  const toHosted = message(
    `INVITE ${ORG_URI} SIP/2.0`,
    { Via: "SIP/2.0/TLS 10.62.0.30:5061;branch=z9hG4bK2", ...dialog(CALL, "2 INVITE"), Diversion: div },
    sdp(IP.edgeExt, 50166),
  );
  return [
    { at: 0, from: IP.alice, to: IP.frontend, text: invite("sip:carol@contoso.test"), seenBy: ["frontend"] },
    { at: 2, from: IP.frontend, to: IP.carol, text: invite("sip:carol@10.61.0.102:5060"), seenBy: ["frontend"] },
    { at: 3000, from: IP.frontend, to: IP.edgeCorp, text: invite(ORG_URI, div), seenBy: ["frontend", "edge", "edge-sip"] },
    { at: 3004, from: IP.edgeExt, to: IP.hosted, text: toHosted, seenBy: ["edge-sip"] },
    { at: 3020, from: IP.hosted, to: IP.edgeExt, text: ok(IP.hosted, 20076), seenBy: ["edge-sip"] },
    { at: 3021, from: IP.edgeCorp, to: IP.frontend, text: ok(IP.edgeCorp, 50018), seenBy: ["edge-sip", "edge", "frontend"] },
    { at: 3022, from: IP.frontend, to: IP.alice, text: ok(IP.edgeCorp, 50018), seenBy: ["frontend"] },
    {
      at: 6000,
      from: IP.alice,
      to: IP.frontend,
      text: message(`BYE sip:${IP.hosted}:5061;transport=TLS SIP/2.0`, dialog(CALL, "3 BYE", ";tag=um1")),
      seenBy: ["frontend"],
    },
  ];
}

function notify(callId: string, user: string, at: number, from = IP.hosted): Hop {
  const text = message(
    `NOTIFY sip:${user}@contoso.test SIP/2.0`,
    {
      Via: `SIP/2.0/TLS ${from}:5061;branch=z9hG4bKn1`,
      "Call-ID": callId,
      From: `<sip:mwi-${user}@exap.um.provider.test>;tag=n1`,
      To: `<sip:${user}@contoso.test>`,
      CSeq: "1 NOTIFY",
      Event: "message-summary",
      "ms-edge-proxy-message-trust": TRUST,
      "Content-Type": "application/simple-message-summary",
    },
    "",
  ).replace("Content-Length: 0\r\n\r\n", "Content-Length: 48\r\n\r\nMessages-Waiting: yes\r\nVoice-Message: 1/0 (0/0)\r\n");
  return { at, from, to: IP.edgeExt, text, seenBy: ["edge-sip"] };
}

function rtp(src: [string, number], dst: [string, number], packets: number, capture: string): RtpStream {
  return {
    src: { ip: src[0], port: src[1] },
    dst: { ip: dst[0], port: dst[1] },
    ssrc: "0x1",
    payloadType: 0,
    packets,
    firstAt: T0 + 3030,
    lastAt: T0 + 6000,
    capture,
  };
}

const mediaBothLegs: RtpStream[] = [
  rtp([IP.alice, 6000], [IP.edgeCorp, 50018], 152, "edge"),
  rtp([IP.edgeCorp, 50018], [IP.alice, 6000], 47, "edge"),
  rtp([IP.edgeExt, 50166], [IP.hosted, 20076], 152, "edge"),
  rtp([IP.edgeExt, 50166], [IP.hosted, 20076], 150, "hosted-um"),
  rtp([IP.hosted, 20076], [IP.edgeExt, 50166], 47, "hosted-um"),
];

describe("ladder correlation across hops", () => {
  it("puts every hop of the deposit on one ladder, each message once however many captures saw it", () => {
    const ladder = ladderOf({ sip: packets(deposit()), rtp: mediaBothLegs }, topology, { callId: CALL });
    expect(ladder.parties.map((p) => p.id)).toEqual(["phone-alice", "frontend", "phone-carol", "edge", "hosted-um"]);
    expect(ladder.messages.map((m) => `${m.from}>${m.to} ${m.label}`)).toEqual([
      "phone-alice>frontend INVITE",
      "frontend>phone-carol INVITE",
      "frontend>edge INVITE",
      "edge>hosted-um INVITE",
      "hosted-um>edge 200 OK",
      "edge>frontend 200 OK",
      "frontend>phone-alice 200 OK",
      "phone-alice>frontend BYE",
    ]);
    const toEdge = ladder.messages[2];
    expect(toEdge?.seenBy).toEqual(["frontend", "edge", "edge-sip"]);
    const toHosted = ladder.messages[3];
    expect(toHosted?.keyHeaders.requestUri).toBe(ORG_URI);
    expect(toHosted?.keyHeaders.organization).toBe("contoso.test");
    expect(toHosted?.keyHeaders.diversion).toEqual(["<sip:carol@contoso.test>;reason=no-answer;counter=1"]);
    expect(toHosted?.transport).toBe("TLS");
  });

  it("adds the UM's message-waiting NOTIFY for the diverted user, although its Call-ID is new", () => {
    const hops = [
      ...deposit(),
      notify("mwi-1", "carol", 6100),
      notify("mwi-other-user", "dave", 6200),
      notify("mwi-too-late", "carol", 40_000),
    ];
    const ladder = ladderOf({ sip: packets(hops), rtp: [] }, topology, { callId: CALL });
    expect(ladder.callIds).toEqual([CALL, "mwi-1"]);
    expect(ladder.notes).toEqual([`mwi-1: message waiting for carol that hosted-um sent after ${CALL}`]);
    const n = ladder.messages.find((m) => m.method === "NOTIFY");
    expect(n?.keyHeaders.event).toBe("message-summary");
    expect(n?.keyHeaders.messagesWaiting).toBe("yes");
    expect(n?.keyHeaders.trust).toContain("ms-source-verified-user=verified");
  });

  it("knows the UM's NOTIFY by its bottom Via when a provider proxy relays it, and not one from a UM outside the call", () => {
    const viaProxy = notify("mwi-proxied", "carol", 6100, IP.proxy);
    const bottom = `Via: SIP/2.0/TLS ${IP.hosted}:5061;branch=z9hG4bKn0`;
    const relayed = { ...viaProxy, text: viaProxy.text.replace(/^(Via: .*)$/m, `$1\r\n${bottom}`) };
    const fromOnPrem = notify("mwi-onprem", "carol", 6200, IP.onprem);
    // A UM behind a proxy on its own loopback: its Via names no lab address, its first hop's sender does.
    const loopbackVia = {
      ...notify("mwi-loopback", "carol", 6300),
      text: notify("x", "carol", 0).text.replace(`${IP.hosted}:5061`, "127.0.0.2:5062").replace("Call-ID: x", "Call-ID: mwi-loopback"),
    };
    const ladder = ladderOf({ sip: packets([...deposit(), relayed, fromOnPrem, loopbackVia]), rtp: [] }, topology, { callId: CALL });
    expect(ladder.callIds).toEqual([CALL, "mwi-proxied", "mwi-loopback"]);
    expect(ladder.parties.map((p) => p.id)).toContain("provider-proxy");
  });

  it("adds a call the UM places while the call is up (the auto attendant's transfer)", () => {
    const transfer: Hop = {
      at: 4000,
      from: IP.hosted,
      to: IP.edgeExt,
      text: message("INVITE sip:carol@contoso.test SIP/2.0", {
        Via: `SIP/2.0/TLS ${IP.hosted}:5061;branch=z9hG4bKt1`,
        ...dialog("aa-leg", "1 INVITE"),
        From: "<sip:aa@exap.um.provider.test>;tag=x",
      }),
      seenBy: ["edge-sip"],
    };
    const ladder = ladderOf({ sip: packets([...deposit(), transfer]), rtp: [] }, topology, { callId: CALL });
    expect(ladder.callIds).toEqual([CALL, "aa-leg"]);
  });

  it("draws RTP per direction and hop with the packet count of the capture that saw most", () => {
    const ladder = ladderOf({ sip: packets(deposit()), rtp: mediaBothLegs }, topology, { callId: CALL });
    expect(ladder.media.map((m) => `${m.from}>${m.to} ${m.packets}`).sort()).toEqual([
      "edge>hosted-um 152",
      "edge>phone-alice 47",
      "hosted-um>edge 47",
      "phone-alice>edge 152",
    ]);
  });

  it("shows a pair of addresses the SDP agreed on with no packet as a missing bar (0 packets)", () => {
    const blocked = mediaBothLegs.filter((s) => s.src.ip !== IP.edgeExt && s.dst.ip !== IP.edgeExt);
    const ladder = ladderOf({ sip: packets(deposit()), rtp: blocked }, topology, { callId: CALL });
    const missing = ladder.media.filter((m) => m.packets === 0).map((m) => `${m.from}>${m.to}`);
    expect(missing.sort()).toEqual(["edge>hosted-um", "hosted-um>edge"]);
  });

  it("says which recordings it could not read (a fault stopped the edge)", () => {
    const unread = ["edge-sip: umlab-unit-edge is exited"];
    const ladder = ladderOf({ sip: packets(deposit()), rtp: [], unread }, topology, { callId: CALL });
    expect(ladder.notes).toEqual(["not on this ladder: edge-sip: umlab-unit-edge is exited"]);
  });

  it("finds a call by the SIPp id before '@', by --last, and says so when a Call-ID is not there", () => {
    const records = { sip: packets(deposit()), rtp: [] };
    expect(ladderOf(records, topology, { callIds: ["umlab-0a1b2c3d4e5f"] }).callIds).toEqual([CALL]);
    expect(ladderOf(records, topology, { last: true }).callIds).toEqual([CALL]);
    expect(() => ladderOf(records, topology, { callId: "nope" })).toThrow(CallNotFoundError);
    expect(() => ladderOf({ sip: [], rtp: [] }, topology, { last: true })).toThrow(/no call yet/);
  });
});

describe("capture records from tshark's field output", () => {
  it("reads SIP messages from hex payloads and counts RTP packets per stream, in one pass", () => {
    const text = message("OPTIONS sip:x SIP/2.0", { "Call-ID": "c1", CSeq: "1 OPTIONS" });
    const lines = [
      `1800000000.123456\t10.0.0.1\t5060\t10.0.0.2\t5070\t\t\t${Buffer.from(text).toString("hex")}`,
      "1.000\t10.0.0.1\t6000\t10.0.0.2\t7000\t0xabc\t0\t80aa",
      "1.020\t10.0.0.1\t6000\t10.0.0.2\t7000\t0xabc\t0\t80ab",
      "1.020\t10.0.0.2\t7000\t10.0.0.1\t6000\t0xdef\t101\t80ac",
      "bad line",
    ];
    const { sip, rtp } = parseCaptureFields(lines.join("\n"), "edge");
    expect(sip).toEqual([
      { at: 1800000000123.456, src: { ip: "10.0.0.1", port: 5060 }, dst: { ip: "10.0.0.2", port: 5070 }, text, capture: "edge" },
    ]);
    expect(rtp.map((s) => [s.src.port, s.packets, s.lastAt - s.firstAt, s.payloadType])).toEqual([
      [6000, 2, 20, 0],
      [7000, 1, 0, 101],
    ]);
  });

  it("finds the last check of a name, or of a name and target", () => {
    const recorded = [
      { check: "no-answer deposit", target: "alice -> onprem-um", result: "Success" as const, callIds: ["a"], at: "1" },
      { check: "no-answer deposit", target: "carol -> hosted-um", result: "Success" as const, callIds: ["c"], at: "2" },
    ];
    expect(findCheck(recorded, "No-Answer Deposit")?.callIds).toEqual(["c"]);
    expect(findCheck(recorded, "no-answer deposit alice")?.callIds).toEqual(["a"]);
    expect(findCheck(recorded, "auto attendant")).toBeUndefined();
  });
});

describe("ladder renderers", () => {
  const hops = [...deposit(), notify("mwi-1", "carol", 6100)];
  const blocked = mediaBothLegs.filter((s) => s.src.ip !== IP.edgeExt && s.dst.ip !== IP.edgeExt);
  const ladder = ladderOf({ sip: packets(hops), rtp: blocked }, topology, { callId: CALL });

  it("prints one terminal line per message and per stream, arrows pointing the way the message went", () => {
    const lines = renderLadderText(ladder, { color: false }).split("\n");
    const rows = lines.filter((l) => /^\s+\+\d+\.\d{3} s/.test(l));
    expect(rows).toHaveLength(ladder.messages.length + ladder.media.length);
    const toHosted = rows.find((l) => l.includes(ORG_URI));
    expect(toHosted).toMatch(/│─+ INVITE ─+>│/);
    expect(toHosted).toContain("Diversion: <sip:carol@contoso.test>;reason=no-answer");
    expect(rows.some((l) => /│<─+ 200 OK ─+│/.test(l))).toBe(true);
    expect(rows.filter((l) => l.includes("RTP 152 pkts"))).toHaveLength(1);
    expect(rows.filter((l) => l.includes("no RTP"))).toHaveLength(2);
    expect(rows.find((l) => l.includes("NOTIFY"))).toContain("trust: verified  Messages-Waiting: yes 1/0 (0/0)");
  });

  it("draws a self-contained SVG: an arrow per message with its first line and key headers, bars for RTP", () => {
    const svg = renderLadderSvg(ladder, { idPrefix: "c1" });
    expect(svg).not.toMatch(/<script|href="http|@import/);
    expect(svg.match(/<a href="#c1-m\d+" class="msg">/g)).toHaveLength(ladder.messages.length);
    expect(svg).toContain(`Request-URI: ${ORG_URI.replace(/&/g, "&amp;")}`);
    expect(svg).toContain("organization: contoso.test");
    expect(svg).toContain("ms-edge-proxy-message-trust: ms-source-type=AuthorizedServer");
    expect(svg).toContain("RTP 152 packets");
    expect(svg.match(/class="media missing"/g)).toHaveLength(2);
    const details = renderLadderDetails(ladder, { idPrefix: "c1" });
    expect(details).toContain('<li id="c1-m3">');
    expect(details).toContain("Diversion: &lt;sip:carol@contoso.test&gt;;reason=no-answer;counter=1");
    expect(details).toContain("Messages-Waiting: yes");
  });
});
