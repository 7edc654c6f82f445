import { describe, expect, it } from "vitest";
import {
  answererArgs,
  capacityHeld,
  capacityTable,
  countRefusals,
  type DepositRow,
  depositCallerArgs,
  depositsAllGood,
  depositTable,
  frontEndRatio,
  LOAD_DEFAULTS,
  LOAD_STEPS,
  parseLoadFlags,
  parseSippStats,
  runBoundSeconds,
  type SignallingRow,
  type SippStats,
  signallingCallerArgs,
  signallingTable,
} from "../../lab/bench/load-plan.js";

const stats = (successful: number, failed = 0): SippStats => ({ created: successful + failed, successful, failed, elapsedSeconds: 10 });

describe("load benchmark flags (npm run bench -- --load)", () => {
  it("defaults to the issue's rates, 10 s per rate, every step", () => {
    const o = parseLoadFlags({});
    expect(o).toEqual(LOAD_DEFAULTS);
    expect(o.steps).toEqual([...LOAD_STEPS]);
  });

  it("reads rates, seconds, concurrency and steps (steps run in their fixed order)", () => {
    const o = parseLoadFlags({ rates: "50, 100", seconds: "3", concurrency: "20", steps: "bursts,signalling" });
    expect(o.rates).toEqual([50, 100]);
    expect(o.seconds).toBe(3);
    expect(o.concurrency).toBe(20);
    expect(o.steps).toEqual(["signalling", "bursts"]);
  });

  it.each([
    [{ rates: "100,abc" }, /--rates "100,abc" is invalid; allowed: 1 to 8 comma-separated integers from 1 to 5000/],
    [{ rates: "0" }, /--rates "0" is invalid/],
    [
      { rates: "5000", seconds: "60" },
      /--rates "5000" is invalid; allowed: at most 30000 calls per rate: 5000 calls\/s for 60 s \(--seconds\) would place 300000/,
    ],
    [{ seconds: "0" }, /--seconds "0" is invalid; allowed: an integer from 1 to 60/],
    [{ seconds: "1.5" }, /--seconds "1.5" is invalid/],
    [{ concurrency: "1000" }, /--concurrency "1000" is invalid; allowed: an integer from 1 to 200/],
    [{ "tone-seconds": "30" }, /--tone-seconds "30" is invalid; allowed: an integer from 2 to 18/],
    [{ "burst-gap": "-1" }, /--burst-gap "-1" is invalid/],
    [
      { steps: "signalling,soak" },
      /--steps "signalling,soak" is invalid; allowed: a comma-separated list of signalling, deposits, bursts, capacity/,
    ],
  ])("refuses %j, naming the flag, the value and what is allowed", (flags, message) => {
    expect(() => parseLoadFlags(flags)).toThrow(message);
  });
});

describe("load benchmark SIPp command lines", () => {
  const from = { ip: "10.61.0.100", port: 5070, mediaPort: 6000 };

  it("a signalling run is bounded in calls (-m) and in seconds (-timeout), and keeps SIPp's counts", () => {
    const args = signallingCallerArgs({
      scenario: "load-call",
      from,
      target: "10.61.0.10:5060",
      keys: { caller: "alice", callee: "bob", domain: "contoso.test" },
      rate: 200,
      calls: 2000,
      recvTimeoutSeconds: 5,
      tag: "t",
    });
    const at = (flag: string) => args[args.indexOf(flag) + 1];
    expect(at("-r")).toBe("200");
    expect(at("-m")).toBe("2000");
    expect(at("-timeout")).toBe(`${runBoundSeconds(10, 5)}s`);
    expect(args).toContain("-trace_stat");
    expect(args.at(-1)).toBe("10.61.0.10:5060");
  });

  it("the answerer stops after the calls or at its bound", () => {
    const args = answererArgs({ ip: "10.61.0.101", port: 5060, mediaPort: 6100 }, 500, 30);
    expect(args.slice(args.indexOf("-m"), args.indexOf("-m") + 4)).toEqual(["-m", "500", "-timeout", "30s"]);
  });

  it("a deposit burst starts every call within a second and keeps them up together for the tone", () => {
    const args = depositCallerArgs({
      from,
      target: "10.61.0.10:5060",
      keys: { callee: "carol" },
      credentials: ["-inf", "/x"],
      calls: 50,
      toneSeconds: 16,
      recvTimeoutSeconds: 20,
      tag: "d",
    });
    const at = (flag: string) => args[args.indexOf(flag) + 1];
    expect(args[0]).toBe("timeout");
    expect([at("-r"), at("-m"), at("-l"), at("-d")]).toEqual(["50", "50", "50", "16000"]);
  });
});

describe("SIPp statistics and the tables", () => {
  it("reads the cumulative counters of the last line of SIPp's -trace_stat file", () => {
    const csv = [
      "StartTime;ElapsedTime(C);TotalCallCreated;SuccessfulCall(C);FailedCall(C);",
      "x;00:00:05:000;1000;990;0;",
      "x;00:00:10:500;2000;1996;4;",
    ].join("\n");
    expect(parseSippStats(csv)).toEqual({ created: 2000, successful: 1996, failed: 4, elapsedSeconds: 10.5 });
    expect(parseSippStats("StartTime;\n")).toBeUndefined();
  });

  it("the ratio is calls the front end completed per call SIPp completed straight, flagged below 0.9", () => {
    const rows: SignallingRow[] = [
      { rate: 100, calls: 1000, direct: stats(1000), frontEnd: stats(1000), frontEndCpuSeconds: 0.25, load: 1.5 },
      { rate: 800, calls: 8000, direct: stats(8000), frontEnd: stats(4160, 3840), frontEndCpuSeconds: 2.08, load: 3.25 },
    ];
    expect(frontEndRatio(rows[1] as SignallingRow)).toBeCloseTo(0.52);
    const table = signallingTable(rows);
    expect(table).toHaveLength(3);
    expect(table[1]).toMatch(/^\s+100\s+1000\s+100\.0 %\s+100\s+100\.0 %\s+100\s+250 µs\s+1\.50\s+1\.00$/);
    expect(table[2]).toMatch(/800\s+8000\s+100\.0 %\s+800\s+52\.0 %\s+416\s+500 µs\s+3\.25\s+0\.52 {2}\(below 0\.9\)$/);
    expect(frontEndRatio({ rate: 1, calls: 1, direct: stats(0), frontEnd: stats(0), frontEndCpuSeconds: 0, load: 0 })).toBe(0);
  });

  it("a burst is good only if every call completed and was stored with the tone", () => {
    const row: DepositRow = { label: "burst 2", callee: "dave", calls: 50, completed: 50, stored: 50, withTone: 50, seconds: 17, load: 3 };
    expect(depositsAllGood(row)).toBe(true);
    expect(depositsAllGood({ ...row, completed: 0, stored: 0, withTone: 0 })).toBe(false);
    expect(depositTable([{ ...row, withTone: 49 }])[1]).toMatch(/50\s+50\s+50\s+49\s+17\.0\s+3\.00\s+FAILURES$/);
  });
});

describe("capacity refusals in SIPp's error log", () => {
  const refusal = (id: string, retryAfter: boolean) =>
    [
      `2026-11-29\t23:50:22.1\t1.1: Aborting call on unexpected message for Call-Id '${id}': while expecting '180' (index 6), received 'SIP/2.0 503 Media relay at capacity: edge relays 100 calls`,
      `Call-ID: ${id}`,
      ...(retryAfter ? ["Retry-After: 10"] : []),
      "Content-Length: 0",
      "",
      "'",
    ].join("\n");
  const retransmission = (id: string) =>
    `2026-11-29\t23:50:22.6\t1.6: Dead call ${id} (aborted at index 6), received 'SIP/2.0 503 Media relay at capacity\nRetry-After: 10\n'`;

  it("counts each refused call once (not the server's retransmissions of its 503), and those that said when to retry", () => {
    const log = [
      "The following events occurred:",
      refusal("101-1", true),
      retransmission("101-1"),
      retransmission("101-1"),
      refusal("102-1", false),
    ].join("\n");
    expect(countRefusals(log)).toEqual({ refused: 2, withRetryAfter: 1 });
    expect(countRefusals("")).toEqual({ refused: 0, withRetryAfter: 0 });
  });

  it("holds only if exactly the surplus was refused with a Retry-After and every other call was stored with the tone", () => {
    const deposits: DepositRow = {
      label: "capacity + 1",
      callee: "carol",
      calls: 101,
      completed: 100,
      stored: 100,
      withTone: 100,
      seconds: 17,
      load: 3,
    };
    expect(capacityHeld({ capacity: 100, deposits, refused: 1, withRetryAfter: 1 })).toBe(true);
    expect(capacityHeld({ capacity: 100, deposits, refused: 0, withRetryAfter: 0 })).toBe(false);
    expect(capacityHeld({ capacity: 100, deposits, refused: 1, withRetryAfter: 0 })).toBe(false);
    expect(capacityTable({ capacity: 100, deposits, refused: 0, withRetryAfter: 0 })[1]).toMatch(/NOT HELD$/);
  });
});
