import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultLab } from "../../constructs/index.js";
import { routesOf } from "../../constructs/routes.js";
import { type CheckResult, checkConnectivity, runChecks, withCallIds } from "../../lab/calls/checks.js";
import { laddersOf } from "../../lab/report/ladders.js";
import { RecordingCollector } from "../../lab/report/recordings.js";
import { writeReport } from "../../lab/report/write.js";
import { dockerApi } from "../../lab/runtime/docker.js";
import { NO_ANSWER_SECONDS, useLab } from "./fixture.js";

/** Debian's chromium (apt-get install chromium; .ci/run installs it): playwright-core downloads no browser. */
const CHROMIUM = process.env.UMLAB_CHROMIUM ?? "/usr/bin/chromium";
const OUT = resolve(".umlab/e2e-report");
const REPORT = `${OUT}/report.html`;
/** The screenshot a person looks at: kept as a test artifact (.umlab/ is git-ignored). */
const SCREENSHOT = `${OUT}/report.png`;

describe("the report of a real check run, opened in Chromium", () => {
  const lab = useLab("on-premises");
  let results: CheckResult[] = [];
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const recordings = new RecordingCollector(lab());
    const startedAt = new Date();
    results = await runChecks(lab(), { users: ["alice"], noAnswerSeconds: NO_ANSWER_SECONDS, onResult: recordings.observe });
    const kept = await recordings.recordings(); // read before the UM goes down
    // A real failure: the on-prem UM is stopped, and the front end's OPTIONS to it go unanswered.
    await (await dockerApi()).getContainer(lab().topology.nodes.find((n) => n.name === "onprem-um")?.container ?? "").stop({ t: 1 });
    results.push(...(await withCallIds(() => checkConnectivity(lab()))));
    const topology = lab().topology;
    const routes = routesOf(defaultLab({ mode: "on-premises", noAnswerSeconds: NO_ANSWER_SECONDS }), topology);
    const { ladders, missing } = await laddersOf(lab(), results);
    if (missing) throw new Error(missing);
    await writeReport(REPORT, { topology, routes, results, recordings: kept, ladders, startedAt, finishedAt: new Date() });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`file://${REPORT}`);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("the run has real passes and the real failure it was given", () => {
    expect(results.filter((r) => r.result === "Success").length).toBeGreaterThanOrEqual(5);
    expect(results.at(-1)).toMatchObject({ check: "connectivity", result: "Failure" });
  });

  it("the checks table has a row per check, and the failed one is marked (class, FAIL, red) with its diagnosis", async () => {
    expect(await page.locator("tr.check").count()).toBe(results.length);
    const failed = page.locator("tr.check.failed");
    expect(await failed.count()).toBe(1);
    const text = ((await failed.textContent()) ?? "").replace(/\s+/g, " ");
    expect(text).toContain("connectivity");
    expect(text).toContain("FAIL");
    expect(text).toContain(results.at(-1)?.diagnosis.replace(/\s+/g, " ").slice(0, 60) ?? "?");
    const background = await failed
      .locator("td")
      .first()
      .evaluate((td) => getComputedStyle(td).backgroundColor);
    expect(background).toBe("rgb(253, 236, 236)");
    expect(await page.locator("section.call.failed .diagnosis").first().textContent()).toContain("no 200 to OPTIONS");
    // the hop and the cause, as data (lab/faults/diagnosis.ts), not only inside the sentence
    const why = (await page.locator("section.call.failed dl.why").textContent()) ?? "";
    expect(why).toMatch(/hop.*frontend -> onprem-um/);
    expect(why).toMatch(/cause.*onprem-um is not running/);
  });

  it("every deposit's recording plays: duration > 0 after loadedmetadata, and time moves once played", async () => {
    const deposits = results.filter((r) => r.result === "Success" && r.check.includes("deposit"));
    expect(await page.locator("audio").count()).toBe(deposits.length);
    const played = await page.evaluate(async () => {
      const out: { duration: number; currentTime: number }[] = [];
      for (const a of Array.from(document.querySelectorAll("audio"))) {
        if (a.readyState < 1) await new Promise((r) => a.addEventListener("loadedmetadata", r, { once: true }));
        await a.play();
        await new Promise((r) => setTimeout(r, 400));
        a.pause();
        out.push({ duration: a.duration, currentTime: a.currentTime });
      }
      return out;
    });
    for (const a of played) {
      expect(a.duration).toBeGreaterThan(1);
      expect(a.currentTime).toBeGreaterThan(0);
    }
  });

  it("each recording's spectrum peaks at the caller's 1004 Hz tone", async () => {
    const labels = await page.locator("svg.spectrum").evaluateAll((svgs) => svgs.map((s) => s.getAttribute("aria-label") ?? ""));
    expect(labels.length).toBeGreaterThan(0);
    for (const l of labels) expect(Math.abs(Number(/peak (\d+) Hz/.exec(l)?.[1]) - 1004)).toBeLessThan(10);
  });

  /** A check's ladder as the page shows it: the parties left to right, and "from → to: first line" per message. */
  async function ladderIn(n: number): Promise<{ parties: string[]; messages: string[] }> {
    const section = page.locator(`#call-${n}`);
    const parties = await section.locator("svg.ladder g.party text[font-weight=bold]").allTextContents();
    const messages = await section
      .locator("ol.messages summary")
      .evaluateAll((els) => els.map((e) => (e.textContent ?? "").replace(/^\+[\d.]+ s /, "").trim()));
    return { parties, messages };
  }

  /** Whether `wanted` appear in `messages` in this order (other messages may come between). */
  function inOrder(messages: readonly string[], wanted: readonly string[]): boolean {
    let i = 0;
    for (const m of messages) if (i < wanted.length && m.startsWith(wanted[i] as string)) i++;
    return i === wanted.length;
  }

  it("the no-answer deposit's ladder: the caller, the front end, the ringing phone, the UM, and the diversion between them", async () => {
    const n = results.findIndex((r) => r.check === "no-answer deposit") + 1;
    const { parties, messages } = await ladderIn(n);
    expect(parties).toEqual(["phone-bob", "frontend", "phone-alice", "onprem-um"]);
    const wanted = [
      "phone-bob → frontend: INVITE sip:alice@contoso.test",
      "frontend → phone-alice: INVITE sip:alice@",
      "phone-alice → frontend: SIP/2.0 180 Ringing",
      "frontend → onprem-um: INVITE sip:voicemail@um.contoso.test",
      "frontend → phone-alice: CANCEL",
      "onprem-um → frontend: SIP/2.0 200 OK",
      "onprem-um → frontend: NOTIFY sip:alice@contoso.test",
    ];
    expect(inOrder(messages, wanted), messages.join("\n")).toBe(true);
  });

  it("the failed check's ladder stops at the unanswered OPTIONS to the stopped UM, and that arrow is marked", async () => {
    const n = results.length;
    const { parties, messages } = await ladderIn(n);
    expect(parties).toEqual(["frontend", "onprem-um"]);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((m) => m.startsWith("frontend → onprem-um: OPTIONS sip:voicemail@um.contoso.test"))).toBe(true);
    const stopped = await page.locator(`#call-${n} .stopped`).textContent();
    expect(stopped).toMatch(/The ladder stopped at: \+[\d.]+ s OPTIONS sip:voicemail@um\.contoso\.test .*never answered/);
    const last = page.locator(`#call-${n} a.msg[href="#ladder-${n}-m${messages.length - 1}"] line`);
    expect(await last.evaluate((l) => getComputedStyle(l).stroke)).toBe("rgb(179, 38, 30)");
  });

  it("the routing table says where each user's voice mail goes", async () => {
    const alice = await page.locator("table.routes tr", { hasText: "alice" }).textContent();
    expect(alice).toContain("front end -> on-prem UM");
    expect(alice).toContain("sip:voicemail@um.contoso.test");
  });

  it("the topology shows the on-premises lab's nodes and the voice-mail path with its Request-URI", async () => {
    const topology = page.locator("#topology + .figure svg.umlab-diagram");
    const text = await topology.textContent();
    for (const s of ["corporate network", "front end", "on-prem UM", "INVITE sip:voicemail@um.contoso.test"]) expect(text).toContain(s);
  });
});
