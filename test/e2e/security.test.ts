import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FloodLimit, type TopologyUser } from "../../constructs/index.js";
import { addressOf, nodeOf, OUTSIDE_PHONE } from "../../constructs/topology.js";
import { call } from "../../lab/calls/driver.js";
import { containerLogs } from "../../lab/runtime/container-logs.js";
import { CALLER_SIP_PORT, credentialArgs, frontEndTarget, OUTSIDE_CALLER, PROBE_SIP_PORT } from "../../nodes/calls/plan.js";
import { useLab } from "./fixture.js";
import { callCounts, headerSent, requestsReceived, type SippProbe, startSippProbe, statusesOf, traced } from "./security.js";

/*
 * The SIP layer under attack, in one mixed lab (so that the edge's paths exist): in-dialog relay,
 * digest replay, trust by source, registrar abuse and floods. Each test sends the crafted requests
 * with SIPp, asserts the refusal, and fails if the request went through. Floods are bounded (a few
 * hundred requests, seconds) and sent only to the lab's own containers.
 */

const VICTIM_PORT = 5090;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const keys = (k: Record<string, string>) => Object.entries(k).flatMap(([name, v]) => ["-key", name, v]);

const lab = useLab("mixed", { tag: "security" });
const t = () => lab().topology;
const ipOf = (node: string) => nodeOf(t(), node).addresses.corp as string;
const userNamed = (name: string): TopologyUser => {
  const u = t().users.find((x) => x.name === name);
  if (!u) throw new Error(`no user ${name}`);
  return u;
};
const contact = (kind: string, umNode: string) => {
  const c = t().contacts.find((x) => x.kind === kind && x.umNode === umNode);
  if (!c) throw new Error(`no ${kind} on ${umNode}`);
  return c.displayNumber;
};

/**
 * A victim listening on `VICTIM_PORT` of `node` (a phone) or of a probe, for `seconds`. Its run is
 * awaited once the attack is over; if a test fails before that, its end is of no interest.
 */
function victimAt(where: { node: string } | { probe: SippProbe }, seconds: number) {
  const args = (ip: string) => ["-i", ip, "-p", String(VICTIM_PORT)];
  const run =
    "node" in where
      ? traced(lab(), where.node, "victim-message", args(ipOf(where.node)), seconds)
      : where.probe.run("victim-message", args(where.probe.ip), seconds, { trace: true });
  run.catch(() => {});
  return run;
}

describe("no relay through requests within a dialog", () => {
  let provider: SippProbe;
  beforeAll(async () => {
    provider = await startSippProbe(lab(), { network: "provider" });
  });
  afterAll(() => provider?.remove());

  it("a MESSAGE with a forged To-tag and Route, from a host without an account, gets 403 at the front end; its target gets nothing", async () => {
    const bob = userNamed("bob");
    const target = `sip:victim@${ipOf(bob.phone)}:${VICTIM_PORT}`;
    const victim = victimAt({ node: bob.phone }, 6);
    await pause(500);
    const k = keys({ target, route: `<sip:${ipOf("frontend")};lr>`, domain: t().sipDomain });
    const attack = await traced(
      lab(),
      OUTSIDE_PHONE,
      "relay-in-dialog",
      [...k, "-i", ipOf(OUTSIDE_PHONE), "-p", String(PROBE_SIP_PORT), frontEndTarget(t())],
      5,
    );
    expect(statusesOf(attack), attack.output.slice(-600)).toEqual(["403 Not a dialog routed here"]);
    expect(requestsReceived(await victim)).toEqual([]);
  });

  it("a forged Route set through the front end and the edge gets 403 at the front end, and at the edge when sent from the front end's own address; nothing reaches the provider side", async () => {
    const target = `sip:victim@${provider.ip}:${VICTIM_PORT}`;
    const edge = addressOf(t(), "edge", "corp");
    const victim = victimAt({ probe: provider }, 8);
    await pause(500);
    const viaBoth = keys({ target, route: `<sip:${ipOf("frontend")};lr>,<sip:${edge};lr>`, domain: t().sipDomain });
    const atFrontEnd = await traced(
      lab(),
      OUTSIDE_PHONE,
      "relay-in-dialog",
      [...viaBoth, "-i", ipOf(OUTSIDE_PHONE), "-p", String(PROBE_SIP_PORT), frontEndTarget(t())],
      5,
    );
    expect(statusesOf(atFrontEnd), atFrontEnd.output.slice(-600)).toEqual(["403 Not a dialog routed here"]);
    // The edge takes the corporate side from the front end's address only: the attack from there.
    const viaEdge = keys({ target, route: `<sip:${edge};lr>`, domain: t().sipDomain });
    const atEdge = await traced(
      lab(),
      "frontend",
      "relay-in-dialog",
      [...viaEdge, "-i", ipOf("frontend"), "-p", String(PROBE_SIP_PORT), `${edge}:5060`],
      5,
    );
    expect(statusesOf(atEdge), atEdge.output.slice(-600)).toEqual(["403 Not a dialog routed here"]);
    expect(requestsReceived(await victim)).toEqual([]);
  });

  it("a party to a real dialog cannot take it elsewhere: 403 for a target outside the corporate network (front end) or, its Route set cut to the enterprise's hops, outside the hosting provider (edge)", async () => {
    const redirect = (scenario: string, callee: string, target: string) => {
      const k = keys({ caller: OUTSIDE_CALLER, callee, domain: t().sipDomain, target });
      return traced(
        lab(),
        OUTSIDE_PHONE,
        scenario,
        [...k, "-i", ipOf(OUTSIDE_PHONE), "-p", String(CALLER_SIP_PORT), frontEndTarget(t())],
        15,
      );
    };
    const onPrem = await redirect("dialog-redirect", contact("auto-attendant", "onprem-um"), "sip:victim@192.0.2.1:5060");
    expect(onPrem.ok, onPrem.output.slice(-600)).toBe(true);
    expect(statusesOf(onPrem)).toContain("403 Not a destination in this network");
    const victim = victimAt({ probe: provider }, 10);
    await pause(500);
    const hosted = await redirect(
      "dialog-redirect-edge",
      contact("auto-attendant", "hosted-um"),
      `sip:victim@${provider.ip}:${VICTIM_PORT}`,
    );
    expect(hosted.ok, hosted.output.slice(-600)).toBe(true);
    expect(statusesOf(hosted)).toContain("403 Not a hosting provider destination");
    expect(requestsReceived(await victim)).toEqual([]);
  });
});

describe("who may skip authentication, and with what", () => {
  it("digest with qop=auth and nonce counting: a Proxy-Authorization captured on the wire and replayed from another host is challenged", async () => {
    const [alice, dave] = [userNamed("alice"), userNamed("dave")];
    const k = keys({ caller: alice.sipUser, callee: dave.sipUser, domain: t().sipDomain });
    const signedIn = await traced(
      lab(),
      alice.phone,
      "message-authenticated",
      [...k, ...credentialArgs(alice.phone), "-i", ipOf(alice.phone), "-p", String(PROBE_SIP_PORT), frontEndTarget(t())],
      5,
    );
    expect(signedIn.ok, signedIn.output.slice(-600)).toBe(true);
    expect(headerSent(signedIn, "Proxy-Authenticate")).toMatch(/qop="auth"/);
    const captured = headerSent(signedIn, "Proxy-Authorization");
    expect(captured).toMatch(/nc=00000001/);
    const replay = await traced(
      lab(),
      OUTSIDE_PHONE,
      "digest-replay",
      [...k, ...keys({ authorization: captured ?? "" }), "-i", ipOf(OUTSIDE_PHONE), "-p", String(PROBE_SIP_PORT), frontEndTarget(t())],
      5,
    );
    expect(statusesOf(replay), replay.output.slice(-600)).toEqual(["407 Proxy Authentication Required"]);
  });

  it("a request from the on-premises UM's address but another port is challenged (407), like anyone's: trust is by transport, address and port", async () => {
    const probe = await startSippProbe(lab(), { shareWith: "onprem-um" });
    try {
      const k = keys({ caller: "voicemail", callee: userNamed("alice").sipUser, domain: t().sipDomain });
      const r = await probe.run("message-challenged", [...k, "-i", probe.ip, "-p", "5070", frontEndTarget(t())], 5, { trace: true });
      expect(statusesOf(r), r.output.slice(-600)).toEqual(["407 Proxy Authentication Required"]);
    } finally {
      await probe.remove();
    }
  });
});

describe("registrar", () => {
  const refused = async (user: TopologyUser, domain: string, contactUri: string, port: number) => {
    const k = keys({ user: user.sipUser, domain, contact: contactUri, expires: "60" });
    return traced(
      lab(),
      user.phone,
      "register-refused",
      [...k, ...credentialArgs(user.phone), "-i", ipOf(user.phone), "-p", String(port), frontEndTarget(t())],
      5,
    );
  };
  const registerFrom = (user: TopologyUser, port: number, expires: number) => {
    const k = keys({ user: user.sipUser, domain: t().sipDomain, expires: String(expires) });
    return traced(
      lab(),
      user.phone,
      "register",
      [...k, ...credentialArgs(user.phone), "-i", ipOf(user.phone), "-p", String(port), frontEndTarget(t())],
      5,
    );
  };

  it("refuses a contact at another address (third-party registration) and a foreign domain, once authenticated (403)", async () => {
    const alice = userNamed("alice");
    const thirdParty = await refused(alice, t().sipDomain, `sip:${alice.sipUser}@${ipOf(userNamed("bob").phone)}:5060`, 5071);
    expect(statusesOf(thirdParty), thirdParty.output.slice(-600)).toEqual([
      "401 Unauthorized",
      "403 Contact must be the address the registration came from",
    ]);
    const foreign = await refused(alice, "evil.example", `sip:${alice.sipUser}@${ipOf(alice.phone)}:5071`, 5071);
    expect(statusesOf(foreign), foreign.output.slice(-600)).toEqual(["401 Unauthorized", "403 Not a user of this domain"]);
  });

  it("keeps at most maxContactsPerUser contacts per user: one more is refused with 503", async () => {
    const alice = userNamed("alice");
    const ports = [5071, 5072, 5073, 5074];
    try {
      for (const port of ports) {
        const r = await registerFrom(alice, port, 60);
        expect(r.ok, `contact on port ${port}: ${r.output.slice(-400)}`).toBe(true);
      }
      const oneMore = await refused(alice, t().sipDomain, `sip:${alice.sipUser}@${ipOf(alice.phone)}:5075`, 5075);
      expect(statusesOf(oneMore), oneMore.output.slice(-600)).toEqual(["401 Unauthorized", "503 Service Unavailable"]);
    } finally {
      for (const port of ports) await registerFrom(alice, port, 0);
    }
  });
});

describe("flood limits", () => {
  const limit = FloodLimit.of();
  const burst = 400;
  let flooder: SippProbe;
  beforeAll(async () => {
    flooder = await startSippProbe(lab(), { network: "corp" });
  });
  afterAll(() => flooder?.remove());

  /** `burst` OPTIONS at 200 a second from the flooder to `ip`, each waiting 1 s for its answer. */
  const flood = (ip: string) =>
    flooder.run(
      "options-flood",
      [...keys({ target: `sip:${ip}:5060` }), "-r", "200", "-l", String(burst), "-i", flooder.ip, "-p", "5070", `${ip}:5060`],
      20,
      { calls: burst },
    );
  /** One OPTIONS from the flooder's address (another port): answered unless it is banned. */
  const probeOnce = (ip: string) =>
    flooder.run("options", [...keys({ target: `sip:${ip}:5060` }), "-i", flooder.ip, "-p", "5071", `${ip}:5060`], 2);
  const floodLogged = async (node: string) =>
    (await containerLogs(nodeOf(t(), node).container, 400)).includes(`umlab flood: ${flooder.ip} sent more than ${limit.requests}`);

  const cases = [
    { node: "frontend", callee: "bob", via: "the front end" },
    { node: "edge", callee: "carol", via: "the edge (a hosted mailbox)" },
  ];
  for (const c of cases) {
    it(`${c.node}: a burst of ${burst} requests from one host is cut off after the limit and the host banned, while a deposit through ${c.via} placed during the burst succeeds`, async () => {
      const ip = ipOf(c.node);
      const flooding = flood(ip);
      await pause(300);
      const deposit = await call(lab(), {
        from: "alice",
        to: userNamed(c.callee).sipUser,
        params: ";opaque=app:voicemail",
        media: { tone: true },
        holdSeconds: 2,
        timeoutSeconds: 25,
      });
      const counts = callCounts(await flooding);
      expect(deposit.ok, deposit.output.slice(-600)).toBe(true);
      expect(counts.successful + counts.failed).toBe(burst);
      expect(counts.successful).toBeGreaterThan(0);
      expect(counts.successful).toBeLessThanOrEqual(3 * limit.requests);
      expect((await probeOnce(ip)).ok, "the flooder is banned").toBe(false);
      expect(await floodLogged(c.node)).toBe(true);
    });
  }
});
