import { describe, expect, it } from "vitest";
import {
  CAPACITY_MAX,
  CAPACITY_RETRY_AFTER_SECONDS,
  defaultLab,
  FrontEnd,
  HostedUm,
  HostingProvider,
  KamailioEdge,
  LabModelError,
  OnPremUm,
  Port,
  topologyOf,
  UmLab,
} from "../../constructs/index.js";
import { renderLab } from "../../constructs/render/index.js";

function lab(): { lab: UmLab; provider: HostingProvider } {
  const l = new UmLab(undefined, "t", { mode: "mixed", sipDomain: "contoso.test" });
  new FrontEnd(l, "FrontEnd");
  return { lab: l, provider: new HostingProvider(l, "Provider", { proxyFqdn: "exap.um.provider.test" }) };
}

function rejection(fn: () => unknown): LabModelError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LabModelError);
    return err as LabModelError;
  }
  throw new Error("the model was accepted");
}

describe("capacity: each media node states its concurrent calls, and its ports follow", () => {
  it("the built-in sizes: 100 calls each; the edge 2 ports per call from 50000, the UMs 4 per call from 10000 and 20000", () => {
    const { lab: l, provider } = lab();
    const edge = new KamailioEdge(l, "Edge");
    const onprem = new OnPremUm(l, "OnPremUm");
    const hosted = new HostedUm(l, "HostedUm", { provider });
    expect(KamailioEdge.PORTS_PER_CALL).toBe(2);
    expect([edge.capacity, onprem.capacity, hosted.capacity]).toEqual([100, 100, 100]);
    expect(String(edge.mediaPorts)).toBe("udp/50000-50199");
    expect(String(onprem.rtpPorts)).toBe("udp/10000-10399");
    expect(String(hosted.rtpPorts)).toBe("udp/20000-20399");
    expect(onprem.mailboxLimits).toEqual({ maxMessages: 100, maxMessageSeconds: 120 });
    expect(hosted.mailboxLimits).toEqual({ maxMessages: 100, maxMessageSeconds: 120 });
  });

  it("a capacity sizes the ranges it needs: edge 3 calls -> 6 ports, a UM 2 calls -> 8 ports", () => {
    const { lab: l, provider } = lab();
    expect(String(new KamailioEdge(l, "Edge", { capacity: 3 }).mediaPorts)).toBe("udp/50000-50005");
    expect(String(new OnPremUm(l, "OnPremUm", { capacity: 2 }).rtpPorts)).toBe("udp/10000-10007");
    expect(String(new HostedUm(l, "HostedUm", { provider, capacity: 2 }).rtpPorts)).toBe("udp/20000-20007");
  });

  it("an explicit range large enough is kept as given", () => {
    const { lab: l } = lab();
    const edge = new KamailioEdge(l, "Edge", { capacity: 10, mediaPorts: Port.udpRange(40000, 40999) });
    expect(String(edge.mediaPorts)).toBe("udp/40000-40999");
  });

  it("the largest capacity still fits Lync's A/V Edge range (50000-59999)", () => {
    const { lab: l } = lab();
    expect(new KamailioEdge(l, "Edge", { capacity: CAPACITY_MAX }).mediaPorts.to).toBeLessThanOrEqual(59999);
  });

  const tooFew: [string, () => unknown, RegExp][] = [
    [
      "edge range too small for its capacity",
      () => new KamailioEdge(lab().lab, "Edge", { capacity: 100, mediaPorts: Port.udpRange(50000, 50099) }),
      /^edge\.mediaPorts udp\/50000-50099 holds 100 ports; edge\.capacity 100 needs 200; allowed: a UDP range starting on an even port with at least 2 ports per call \(RTP and RTCP of a call's leg on each side, each side's address drawing from the range\)$/,
    ],
    [
      "edge range starting on an odd port",
      () => new KamailioEdge(lab().lab, "Edge", { capacity: 1, mediaPorts: Port.udpRange(50001, 50100) }),
      /^edge\.mediaPorts udp\/50001-50100 holds 100 ports; .*allowed: a UDP range starting on an even port/,
    ],
    [
      "edge range over TCP",
      () => new KamailioEdge(lab().lab, "Edge", { capacity: 1, mediaPorts: Port.tcp(50000) }),
      /^edge\.mediaPorts tcp\/50000 holds 1 ports; edge\.capacity 1 needs 2; allowed: a UDP range/,
    ],
    [
      "on-prem UM range too small",
      () => new OnPremUm(lab().lab, "OnPremUm", { capacity: 50, rtpPorts: Port.udpRange(10000, 10099) }),
      /^onPremUm\.rtpPorts udp\/10000-10099 holds 100 ports; onPremUm\.capacity 50 needs 200; allowed: .* at least 4 ports per call \(RTP and RTCP for the caller, and for the call the auto attendant puts through\)$/,
    ],
    [
      "hosted UM range too small",
      () => {
        const { lab: l, provider } = lab();
        return new HostedUm(l, "HostedUm", { provider, rtpPorts: Port.udpRange(20000, 20099) });
      },
      /^hostedUm\.rtpPorts udp\/20000-20099 holds 100 ports; hostedUm\.capacity 100 needs 400; allowed: /,
    ],
  ];
  for (const [what, fn, message] of tooFew) {
    it(`refuses ${what} (MediaPortsTooFew), naming the field, the value and what is allowed`, () => {
      const err = rejection(fn);
      expect(err.code).toBe("MediaPortsTooFew");
      expect(err.message).toMatch(message);
    });
  }

  for (const bad of [0, -1, 2.5, CAPACITY_MAX + 1, Number.NaN]) {
    it(`refuses a capacity of ${bad} on each node (CapacityInvalid)`, () => {
      const cases: [string, () => unknown][] = [
        ["edge.capacity", () => new KamailioEdge(lab().lab, "Edge", { capacity: bad })],
        ["onPremUm.capacity", () => new OnPremUm(lab().lab, "OnPremUm", { capacity: bad })],
        [
          "hostedUm.capacity",
          () => {
            const { lab: l, provider } = lab();
            return new HostedUm(l, "HostedUm", { provider, capacity: bad });
          },
        ],
      ];
      for (const [field, fn] of cases) {
        const err = rejection(fn);
        expect(err.code).toBe("CapacityInvalid");
        expect(err.message).toBe(
          `${field} ${JSON.stringify(bad)} is invalid; allowed: an integer from 1 to ${CAPACITY_MAX} (concurrent calls)`,
        );
      }
    });
  }
});

describe("mailbox limits: what a UM's mailboxes hold", () => {
  it("takes the model's values", () => {
    const { lab: l, provider } = lab();
    const hosted = new HostedUm(l, "HostedUm", { provider, maxMessages: 1, maxMessageSeconds: 4 });
    expect(hosted.mailboxLimits).toEqual({ maxMessages: 1, maxMessageSeconds: 4 });
  });

  const bad: [string, () => unknown, RegExp][] = [
    [
      "no room for a message",
      () => new OnPremUm(lab().lab, "OnPremUm", { maxMessages: 0 }),
      /^onPremUm\.maxMessages 0 is invalid; allowed: an integer from 1 to 9999 \(messages per mailbox\)$/,
    ],
    [
      "more than Asterisk keeps",
      () => new OnPremUm(lab().lab, "OnPremUm", { maxMessages: 10000 }),
      /^onPremUm\.maxMessages 10000 is invalid; allowed: an integer from 1 to 9999/,
    ],
    [
      "a message no longer than Asterisk's shortest",
      () => {
        const { lab: l, provider } = lab();
        return new HostedUm(l, "HostedUm", { provider, maxMessageSeconds: 1 });
      },
      /^hostedUm\.maxMessageSeconds 1 is invalid; allowed: an integer from 2 to 3600 \(seconds\)$/,
    ],
  ];
  for (const [what, fn, message] of bad) {
    it(`refuses ${what} (MailboxLimitInvalid)`, () => {
      const err = rejection(fn);
      expect(err.code).toBe("MailboxLimitInvalid");
      expect(err.message).toMatch(message);
    });
  }
});

describe("capacity in the rendered files: who counts, and what a caller over the limit hears", () => {
  const small = defaultLab({
    mode: "mixed",
    edge: { capacity: 3 },
    onPremUm: { capacity: 2 },
    hostedUm: { capacity: 4, maxMessages: 1, maxMessageSeconds: 5 },
  });
  const files = renderLab(small, topologyOf(small));
  const file = (node: string, path: string) => String(files.get(node)?.find((f) => f.path === path)?.content ?? "");

  const counters: [string, string, string][] = [
    ["frontend", "2", "Voice mail at capacity: um.contoso.test takes 2 calls"],
    ["edge", "3", "Media relay at capacity: edge sip.contoso.test relays 3 calls"],
    ["hosted-um", "4", "Hosted voice mail at capacity: exap.um.provider.test takes 4 calls"],
  ];
  for (const [node, calls, reason] of counters) {
    it(`${node} counts its calls against the model's capacity (${calls}) and refuses with 503 "${reason}"`, () => {
      const cfg = file(node, "kamailio.cfg");
      expect(cfg).toContain(`#!define CAPACITY_CALLS ${calls}\n`);
      expect(cfg).toContain(`#!define CAPACITY_REASON "${reason}"\n`);
      expect(cfg).toContain(`#!define CAPACITY_RETRY_AFTER ${CAPACITY_RETRY_AFTER_SECONDS}\n`);
      expect(file(node, "capacity.cfg")).toMatch(
        /get_profile_size\("capacity", "\$var\(calls\)"\);\n\tif \(\$var\(calls\) >= CAPACITY_CALLS\)/,
      );
      expect(file(node, "capacity.cfg")).toContain('send_reply("503", "$var(reason)");');
    });
  }

  it("each counting node includes capacity.cfg and takes a place where the call goes to the counted party", () => {
    expect(file("frontend", "frontend.cfg")).toMatch(/#!ifdef WITH_ONPREM\n.*\ninclude_file "capacity.cfg"\n#!endif/);
    expect(file("frontend", "frontend.cfg")).toMatch(/\$du = ONPREM_UM_URI;\n\t\troute\(CAPACITY_TAKE\);/);
    expect(file("edge", "edge.cfg")).toMatch(/route\(CAPACITY_TRACK\);\n\troute\(CAPACITY_TAKE\);\n\troute\(MEDIA\);/);
    expect(file("hosted-um", "provider-proxy.cfg")).toMatch(/\$du = UM_URI;\n\t\troute\(CAPACITY_TRACK\);\n\t\troute\(CAPACITY_TAKE\);/);
  });

  it("a front end without an on-premises UM counts nothing", () => {
    const cross = defaultLab({ mode: "cross-premises" });
    const fe = renderLab(cross, topologyOf(cross)).get("frontend") ?? [];
    expect(fe.some((f) => f.path === "capacity.cfg")).toBe(false);
    expect(String(fe.find((f) => f.path === "kamailio.cfg")?.content)).not.toContain("CAPACITY_CALLS");
  });

  it("the rtpengine range is the edge's capacity in ports, and the UMs' RTP ranges theirs", () => {
    expect(file("edge", "rtpengine.conf")).toContain("port-min = 50000\nport-max = 50005\ndelete-delay = 0\n");
    expect(file("onprem-um", "asterisk/rtp.conf")).toContain("rtpstart=10000\nrtpend=10007\n");
    expect(file("hosted-um", "asterisk/rtp.conf")).toContain("rtpstart=20000\nrtpend=20015\n");
  });

  it("voicemail.conf adds each UM's mailbox limits to [general]", () => {
    expect(file("hosted-um", "asterisk/voicemail.conf")).toContain(
      '#include "umlab-voicemail-options.conf"\n\n[general](+)\nmaxmsg=1\nmaxsecs=5\n',
    );
    expect(file("onprem-um", "asterisk/voicemail.conf")).toContain("[general](+)\nmaxmsg=100\nmaxsecs=120\n");
    expect(file("onprem-um", "asterisk/umlab-voicemail-options.conf")).not.toMatch(/^max(msg|secs)=/m);
  });
});
