// The load benchmark's pure parts (npm run bench -- --load): its flags and their bounds, the SIPp
// command lines of each step, SIPp's statistics file, and the tables it prints. lab/bench/load.ts
// runs them against a lab of its own.
import { lit } from "../../constructs/errors.js";
import { UsageError } from "../../nodes/usage-error.js";

/** The steps of the benchmark, in the order they run. */
export const LOAD_STEPS = ["signalling", "deposits", "bursts", "capacity"] as const;
export type LoadStep = (typeof LOAD_STEPS)[number];

/** Bounds every flag is checked against: a load step is bounded in calls and in seconds. */
export const LOAD_BOUNDS = {
  rate: { min: 1, max: 5000 },
  seconds: { min: 1, max: 60 },
  /** calls one signalling step places (rate x seconds) */
  callsPerStep: { max: 30_000 },
  concurrency: { min: 1, max: 200 },
  toneSeconds: { min: 2, max: 18 },
  burstGapSeconds: { min: 0, max: 120 },
} as const;

export interface LoadOptions {
  /** offered call rates of the signalling step, calls a second, each run direct and through the front end */
  readonly rates: readonly number[];
  /** seconds each rate is offered */
  readonly seconds: number;
  /** concurrent deposits of the deposit step, and the size of each burst */
  readonly concurrency: number;
  /** seconds of test tone each deposit plays */
  readonly toneSeconds: number;
  /** seconds between the end of the first burst and the start of the second */
  readonly burstGapSeconds: number;
  readonly steps: readonly LoadStep[];
}

export const LOAD_DEFAULTS: LoadOptions = {
  rates: [100, 200, 400, 800, 1600],
  seconds: 10,
  concurrency: 100,
  toneSeconds: 16,
  burstGapSeconds: 15,
  steps: LOAD_STEPS,
};

/** The raw flag values, as node:util parseArgs hands them over. */
export interface LoadFlags {
  readonly rates?: string | undefined;
  readonly seconds?: string | undefined;
  readonly concurrency?: string | undefined;
  readonly "tone-seconds"?: string | undefined;
  readonly "burst-gap"?: string | undefined;
  readonly steps?: string | undefined;
}

function flagError(flag: string, value: string, allowed: string): UsageError {
  return new UsageError(lit`LoadFlagInvalid`, `--${flag} ${JSON.stringify(value)} is invalid; allowed: ${allowed}`);
}

function integerFlag(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) throw flagError(flag, value, `an integer from ${min} to ${max}`);
  return n;
}

function ratesFlag(value: string | undefined, seconds: number): number[] {
  if (value === undefined) return [...LOAD_DEFAULTS.rates];
  const { min, max } = LOAD_BOUNDS.rate;
  const parts = value.split(",").map((p) => p.trim());
  const rates = parts.map(Number);
  if (parts.length === 0 || parts.length > 8 || rates.some((r) => !Number.isInteger(r) || r < min || r > max))
    throw flagError("rates", value, `1 to 8 comma-separated integers from ${min} to ${max} (calls a second)`);
  const tooMany = rates.find((r) => r * seconds > LOAD_BOUNDS.callsPerStep.max);
  if (tooMany !== undefined)
    throw flagError(
      "rates",
      value,
      `at most ${LOAD_BOUNDS.callsPerStep.max} calls per rate: ${tooMany} calls/s for ${seconds} s (--seconds) would place ${tooMany * seconds}`,
    );
  return rates;
}

function stepsFlag(value: string | undefined): LoadStep[] {
  if (value === undefined) return [...LOAD_STEPS];
  const steps = value.split(",").map((s) => s.trim());
  if (steps.length === 0 || steps.some((s) => !(LOAD_STEPS as readonly string[]).includes(s)))
    throw flagError("steps", value, `a comma-separated list of ${LOAD_STEPS.join(", ")}`);
  return LOAD_STEPS.filter((s) => steps.includes(s));
}

/** The benchmark's options from its flags; a bad flag throws a UsageError naming the flag, the value and what is allowed. */
export function parseLoadFlags(flags: LoadFlags): LoadOptions {
  const b = LOAD_BOUNDS;
  const d = LOAD_DEFAULTS;
  const seconds = integerFlag("seconds", flags.seconds, d.seconds, b.seconds.min, b.seconds.max);
  return {
    rates: ratesFlag(flags.rates, seconds),
    seconds,
    concurrency: integerFlag("concurrency", flags.concurrency, d.concurrency, b.concurrency.min, b.concurrency.max),
    toneSeconds: integerFlag("tone-seconds", flags["tone-seconds"], d.toneSeconds, b.toneSeconds.min, b.toneSeconds.max),
    burstGapSeconds: integerFlag("burst-gap", flags["burst-gap"], d.burstGapSeconds, b.burstGapSeconds.min, b.burstGapSeconds.max),
    steps: stepsFlag(flags.steps),
  };
}

/** Where a SIPp process of the benchmark runs and whom it calls. */
export interface SippEnd {
  /** the address SIPp binds (its container's lab address) */
  readonly ip: string;
  readonly port: number;
  readonly mediaPort: number;
}

/** SIPp's own statistics file (-trace_stat) of a run, in the container that ran it. */
export function statsPath(tag: string): string {
  return `/tmp/umlab-load-${tag}.csv`;
}

/**
 * Seconds a SIPp run may take at most: the calls' offered time, then the time the last calls need
 * to finish or time out (each waits `recvTimeoutSeconds` at most for an answer), plus a margin.
 */
export function runBoundSeconds(offeredSeconds: number, recvTimeoutSeconds: number): number {
  return Math.ceil(offeredSeconds + 2 * recvTimeoutSeconds + 5);
}

/** The caller's side of a signalling step: `calls` calls at `rate` a second, then SIPp exits. */
export function signallingCallerArgs(o: {
  readonly scenario: string;
  readonly from: SippEnd;
  readonly target: string;
  readonly keys: Readonly<Record<string, string>>;
  readonly rate: number;
  readonly calls: number;
  readonly recvTimeoutSeconds: number;
  readonly tag: string;
  readonly extra?: readonly string[];
}): string[] {
  const offered = o.calls / o.rate;
  return [
    "sipp",
    "-sf",
    `/etc/umlab/sipp/${o.scenario}.xml`,
    ...Object.entries(o.keys).flatMap(([k, v]) => ["-key", k, v]),
    ...(o.extra ?? []),
    ...["-i", o.from.ip, "-p", String(o.from.port), "-mi", o.from.ip, "-mp", String(o.from.mediaPort)],
    ...["-r", String(o.rate), "-rp", "1000", "-m", String(o.calls)],
    ...["-recv_timeout", `${o.recvTimeoutSeconds}s`, "-timeout", `${runBoundSeconds(offered, o.recvTimeoutSeconds)}s`],
    ...["-nostdin", "-trace_stat", "-stf", statsPath(o.tag), "-fd", "1"],
    // A provisional that overtakes the 200 (proxy workers relay in parallel) is ignored, as a phone
    // would; a call without its 200 still fails, at the receive timeout.
    ...["-default_behaviors", "all,-abortunexp"],
    o.target,
  ];
}

/** The callee's side: answers up to `calls` calls (answer.xml), bounded in seconds like the caller. */
export function answererArgs(at: SippEnd, calls: number, boundSeconds: number): string[] {
  return [
    "sipp",
    "-sf",
    "/etc/umlab/sipp/answer.xml",
    ...["-i", at.ip, "-p", String(at.port), "-mi", at.ip, "-mp", String(at.mediaPort)],
    ...["-m", String(calls), "-timeout", `${boundSeconds}s`, "-nostdin"],
  ];
}

/** What SIPp counted over a run (its statistics file's last line, cumulative counters). */
export interface SippStats {
  readonly created: number;
  readonly successful: number;
  readonly failed: number;
  /** seconds from the first call to the end of the run */
  readonly elapsedSeconds: number;
}

/** SIPp's "HH:MM:SS:mmm" (or "HH:MM:SS") elapsed time, in seconds. */
function elapsed(text: string): number {
  const [h = 0, m = 0, s = 0, ms = 0] = text.split(":").map(Number);
  return h * 3600 + m * 60 + s + ms / 1000;
}

/** The last line of SIPp's -trace_stat file (semicolon-separated, named columns); undefined if it has none. */
export function parseSippStats(csv: string): SippStats | undefined {
  const lines = csv
    .trim()
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const header = lines[0]?.split(";");
  const last = lines.length > 1 ? lines[lines.length - 1]?.split(";") : undefined;
  if (!header || !last) return undefined;
  const column = (name: string) => last[header.indexOf(name)] ?? "";
  const count = (name: string) => Number(column(name)) || 0;
  return {
    created: count("TotalCallCreated"),
    successful: count("SuccessfulCall(C)"),
    failed: count("FailedCall(C)"),
    elapsedSeconds: elapsed(column("ElapsedTime(C)")),
  };
}

/** One offered rate, run straight between the SIPps and through the front end. */
export interface SignallingRow {
  readonly rate: number;
  readonly calls: number;
  readonly direct: SippStats;
  readonly frontEnd: SippStats;
  /** CPU seconds the front end's container used for the run through it (all its processes) */
  readonly frontEndCpuSeconds: number;
  /** the 1-minute load average after the rate's two runs (the machine is shared) */
  readonly load: number;
}

/** The front end's CPU time per completed call, in microseconds: what bounds it on a given machine. */
export function cpuPerCallMicros(row: SignallingRow): number {
  return row.frontEnd.successful === 0 ? 0 : (row.frontEndCpuSeconds / row.frontEnd.successful) * 1e6;
}

/** Share of the offered calls a run completed (0 to 1). */
export function completion(stats: SippStats, calls: number): number {
  return calls === 0 ? 0 : stats.successful / calls;
}

/** Completed calls a second over the offered time (calls / rate seconds). */
export function completedPerSecond(stats: SippStats, row: { rate: number; calls: number }): number {
  return stats.successful / (row.calls / row.rate);
}

/** Front end over direct: completed calls through the front end per completed call between the SIPps. */
export function frontEndRatio(row: SignallingRow): number {
  return row.direct.successful === 0 ? 0 : row.frontEnd.successful / row.direct.successful;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The signalling table: per rate, what each path completed and the ratio, which the goal wants at 0.9 or more. */
export function signallingTable(rows: readonly SignallingRow[]): string[] {
  const head = "offered calls/s  calls   direct: done  calls/s    front end: done  calls/s  FE CPU/call    load  front end / direct";
  return [
    head,
    ...rows.map((r) => {
      const ratio = frontEndRatio(r);
      return [
        String(r.rate).padStart(15),
        String(r.calls).padStart(7),
        pct(completion(r.direct, r.calls)).padStart(14),
        completedPerSecond(r.direct, r).toFixed(0).padStart(8),
        pct(completion(r.frontEnd, r.calls)).padStart(18),
        completedPerSecond(r.frontEnd, r).toFixed(0).padStart(8),
        `${cpuPerCallMicros(r).toFixed(0).padStart(8)} µs`,
        r.load.toFixed(2).padStart(6),
        `${ratio.toFixed(2).padStart(13)}${ratio >= 0.9 ? "" : "  (below 0.9)"}`,
      ].join("  ");
    }),
  ];
}

/**
 * A burst of deposits: `calls` calls to voice mail, all started within one second and kept up
 * together (call.xml: digest auth, then the tone for `toneSeconds`, then BYE), SIPp exits after the last.
 */
export function depositCallerArgs(o: {
  readonly from: SippEnd;
  readonly target: string;
  readonly keys: Readonly<Record<string, string>>;
  readonly credentials: readonly string[];
  readonly calls: number;
  readonly toneSeconds: number;
  readonly recvTimeoutSeconds: number;
  readonly tag: string;
  /** keep the messages that ended calls unexpectedly (a 503) in this file (SIPp -trace_err) */
  readonly errorFile?: string;
}): string[] {
  const bound = runBoundSeconds(1 + o.toneSeconds, o.recvTimeoutSeconds);
  return [
    "timeout",
    String(bound + 5),
    "sipp",
    "-sf",
    "/etc/umlab/sipp/call.xml",
    ...Object.entries(o.keys).flatMap(([k, v]) => ["-key", k, v]),
    ...o.credentials,
    ...["-i", o.from.ip, "-p", String(o.from.port), "-mi", o.from.ip, "-mp", String(o.from.mediaPort)],
    ...["-d", String(o.toneSeconds * 1000), "-r", String(o.calls), "-rp", "1000", "-m", String(o.calls), "-l", String(o.calls)],
    ...["-recv_timeout", `${o.recvTimeoutSeconds}s`, "-timeout", `${bound}s`],
    ...["-nostdin", "-trace_stat", "-stf", statsPath(o.tag), "-fd", "1"],
    // A call SIPp aborts (a refusal) just ends: no BYE for a dialog that never was.
    ...["-default_behaviors", "all,-bye"],
    ...(o.errorFile ? ["-trace_err", "-error_file", o.errorFile] : []),
    o.target,
  ];
}

/** One burst of deposits, as the deposit and burst steps report it. */
export interface DepositRow {
  readonly label: string;
  readonly callee: string;
  readonly calls: number;
  /** calls SIPp completed: answered, tone played, BYE answered */
  readonly completed: number;
  /** messages the callee's mailbox holds afterwards */
  readonly stored: number;
  /** stored messages whose recording carries the test tone */
  readonly withTone: number;
  readonly seconds: number;
  /** the 1-minute load average after the burst */
  readonly load: number;
}

/** Whether every call of a burst completed and was stored with the tone. */
export function depositsAllGood(r: DepositRow): boolean {
  return r.completed === r.calls && r.stored === r.calls && r.withTone === r.calls;
}

/** The deposit table: per burst, calls placed, completed, stored and stored with the tone. */
export function depositTable(rows: readonly DepositRow[]): string[] {
  return [
    "burst                 callee                                   calls  completed  stored  with tone  seconds   load",
    ...rows.map((r) =>
      [
        r.label.padEnd(20),
        r.callee.padEnd(40),
        String(r.calls).padStart(5),
        String(r.completed).padStart(9),
        String(r.stored).padStart(6),
        String(r.withTone).padStart(9),
        r.seconds.toFixed(1).padStart(7),
        r.load.toFixed(2).padStart(6),
        depositsAllGood(r) ? "" : " FAILURES",
      ].join("  "),
    ),
  ];
}

/** The capacity step: capacity + 1 deposits at once on the hosted path. */
export interface CapacityRow {
  /** concurrent calls the hosted path takes: the smaller of the edge's and the hosted UM's capacity */
  readonly capacity: number;
  readonly deposits: DepositRow;
  /** calls refused with 503 */
  readonly refused: number;
  /** of those, refusals that said when to retry (Retry-After) */
  readonly withRetryAfter: number;
}

/**
 * The 503 refusals in SIPp's error log (-trace_err), one per call (SIPp logs the call it aborts once
 * as "Aborting call", then the server's retransmissions as "Dead call"), and how many carried a Retry-After.
 */
export function countRefusals(errorLog: string): { refused: number; withRetryAfter: number } {
  const aborts = errorLog.split(/^(?=\S.*?: (?:Aborting|Dead) call)/m).filter((e) => /: Aborting call/.test(e));
  const refusals = aborts.filter((e) => /received 'SIP\/2\.0 503 /.test(e));
  return { refused: refusals.length, withRetryAfter: refusals.filter((e) => /^Retry-After:\s*\d+/im.test(e)).length };
}

/** Exactly the surplus refused cleanly (503 with Retry-After), every other call completed and stored with the tone. */
export function capacityHeld(r: CapacityRow): boolean {
  const surplus = r.deposits.calls - r.capacity;
  const d = r.deposits;
  return (
    r.refused === surplus &&
    r.withRetryAfter === surplus &&
    d.completed === r.capacity &&
    d.withTone === r.capacity &&
    d.stored === r.capacity
  );
}

export function capacityTable(r: CapacityRow): string[] {
  const d = r.deposits;
  return [
    "capacity  calls  completed  refused 503  with Retry-After  stored  with tone  seconds   load",
    [
      String(r.capacity).padStart(8),
      String(d.calls).padStart(5),
      String(d.completed).padStart(9),
      String(r.refused).padStart(11),
      String(r.withRetryAfter).padStart(16),
      String(d.stored).padStart(6),
      String(d.withTone).padStart(9),
      d.seconds.toFixed(1).padStart(7),
      d.load.toFixed(2).padStart(6),
      capacityHeld(r) ? "" : " NOT HELD",
    ].join("  "),
  ];
}
