import { describe, expect, it } from "vitest";
import { defaultLab, topologyOf } from "../../constructs/index.js";
import { sineSamples, wavFile } from "../../constructs/render/audio.js";
import { routesOf } from "../../constructs/routes.js";
import type { CheckResult } from "../../lab/calls/checks.js";
import { renderReport } from "../../lab/report/html.js";
import { type DepositRecording, depositedMessage } from "../../lab/report/recordings.js";
import { peakHz, spectrumOf } from "../../lab/report/spectrum.js";

const deposit: CheckResult = {
  check: "no-answer deposit",
  target: "alice -> onprem-um onprem/1001",
  result: "Success",
  latencyMs: 6216,
  diagnosis:
    "message msg0001 in onprem-um onprem/1001 INBOX, 2 s from bob; Diversion <sip:alice@contoso.test> reason=no-answer (caller's own removed); tone share 1.000 at -13.5 dBFS",
};
const failed: CheckResult = {
  check: "connectivity",
  target: "um.contoso.test (onprem-um)",
  result: "Failure",
  latencyMs: 5084,
  diagnosis: "no 200 to OPTIONS <no final response>",
};

describe("report pieces", () => {
  it("the spectrum of a 1004 Hz tone peaks at 1004 Hz, and that bin is far above the rest", () => {
    const s = spectrumOf(sineSamples(1004, 2, 0.3), 8000);
    expect(Math.abs(peakHz(s) - 1004)).toBeLessThan(3);
    const peak = Math.max(...s.db);
    const far = s.db.filter((_, k) => Math.abs(k * s.binHz - 1004) > 100);
    expect(peak - Math.max(...far)).toBeGreaterThan(40);
  });

  it("finds the message a passed deposit names, in the words checks.ts writes; nothing for a failure", () => {
    expect(depositedMessage(deposit)).toEqual({ id: "msg0001", node: "onprem-um", tenant: "onprem", mailbox: "1001", folder: "INBOX" });
    expect(depositedMessage({ ...deposit, result: "Failure" })).toBeUndefined();
    expect(depositedMessage(failed)).toBeUndefined();
  });

  it("one self-contained page: the failed row marked, the recording inline, nothing fetched, text escaped", async () => {
    const lab = defaultLab({ mode: "on-premises" });
    const topology = topologyOf(lab);
    const wav = wavFile(sineSamples(1004, 1));
    const recording: DepositRecording = {
      ...(depositedMessage(deposit) as NonNullable<ReturnType<typeof depositedMessage>>),
      caller: "bob",
      durationSeconds: 1,
      wav,
    };
    const html = await renderReport({
      topology,
      routes: routesOf(lab, topology),
      results: [deposit, failed],
      recordings: new Map([[deposit, recording]]),
      laddersMissing: "No ladders in this test.",
      startedAt: new Date(0),
      finishedAt: new Date(60_000),
    });
    expect(html.match(/<tr class="check failed"/g)).toHaveLength(1);
    expect(html).toContain(`<audio controls preload="metadata" src="data:audio/wav;base64,${wav.toString("base64")}">`);
    expect(html).toContain("no 200 to OPTIONS &lt;no final response&gt;");
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toContain("<script");
    expect(html).toMatch(/aria-label="spectrum, peak 100[0-9] Hz"/);
  });
});
