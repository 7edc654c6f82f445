import type { Prng } from "./prng.js";

/** The largest fuzzed message: well inside one UDP datagram, and large enough to stress a parser. */
export const MAX_FUZZED_BYTES = 8192;

/** Numbers a parser must survive in any numeric field. */
const BOUNDARY_NUMBERS = [
  "0",
  "-1",
  "-0",
  "2147483647",
  "2147483648",
  "4294967296",
  "9223372036854775808",
  "99999999999999999999",
  "",
  "1e9",
  "0x10",
];
/** Bytes with a meaning to a SIP parser (separators, quotes, line ends), and some without any. */
const SPECIAL = [":", ";", ",", "<", ">", '"', "\\", "@", "=", "?", "&", "%", "\r", "\n", "\r\n", "\0", " ", "\t", "\u00ff", "[", "]"];

type Mutator = (m: Buffer, rng: Prng) => Buffer;

const at = (m: Buffer, rng: Prng) => rng.int(Math.max(1, m.length));

/** Line boundaries of a message's header part (before the empty line). */
function headerLines(m: Buffer): { start: number; end: number }[] {
  const text = m.toString("latin1");
  const headEnd = text.indexOf("\r\n\r\n");
  const head = headEnd < 0 ? text : text.slice(0, headEnd);
  const lines: { start: number; end: number }[] = [];
  let start = 0;
  for (;;) {
    const nl = head.indexOf("\r\n", start);
    const end = nl < 0 ? head.length : nl;
    lines.push({ start, end });
    if (nl < 0) break;
    start = nl + 2;
  }
  return lines;
}

const MUTATORS: readonly Mutator[] = [
  // flip bits
  (m, rng) => {
    const out = Buffer.from(m);
    for (let i = rng.between(1, 8); i > 0 && out.length > 0; i--) {
      const p = at(out, rng);
      out[p] = (out[p] as number) ^ (1 << rng.int(8));
    }
    return out;
  },
  // insert special bytes or random ones
  (m, rng) => {
    const p = at(m, rng);
    const ins = rng.chance(0.6) ? Buffer.from(rng.pick(SPECIAL), "latin1") : rng.bytes(rng.between(1, 16));
    return Buffer.concat([m.subarray(0, p), ins, m.subarray(p)]);
  },
  // delete a range
  (m, rng) => {
    const p = at(m, rng);
    return Buffer.concat([m.subarray(0, p), m.subarray(Math.min(m.length, p + rng.between(1, 64)))]);
  },
  // truncate
  (m, rng) => m.subarray(0, at(m, rng)),
  // a number replaced by a boundary value
  (m, rng) => {
    const text = m.toString("latin1");
    const runs = [...text.matchAll(/\d+/g)];
    if (runs.length === 0) return m;
    const r = rng.pick(runs);
    const i = r.index ?? 0;
    return Buffer.from(text.slice(0, i) + rng.pick(BOUNDARY_NUMBERS) + text.slice(i + r[0].length), "latin1");
  },
  // a header line dropped, repeated, or swapped with another
  (m, rng) => {
    const lines = headerLines(m);
    if (lines.length < 3) return m;
    const a = lines[rng.between(1, lines.length - 1)] as { start: number; end: number };
    const line = m.subarray(a.start, a.end);
    const rest = m.subarray(a.end);
    switch (rng.int(3)) {
      case 0:
        return Buffer.concat([m.subarray(0, a.start), m.subarray(Math.min(m.length, a.end + 2))]);
      case 1:
        return Buffer.concat([
          m.subarray(0, a.end),
          ...Array.from({ length: rng.between(1, 40) }, () => Buffer.concat([Buffer.from("\r\n"), line])),
          rest,
        ]);
      default: {
        const b = lines[rng.between(1, lines.length - 1)] as { start: number; end: number };
        const text = m.toString("latin1").split("\r\n");
        const ia = lines.indexOf(a);
        const ib = lines.indexOf(b);
        [text[ia], text[ib]] = [text[ib] as string, text[ia] as string];
        return Buffer.from(text.join("\r\n"), "latin1");
      }
    }
  },
  // line endings mangled
  (m, rng) => {
    const text = m.toString("latin1");
    const by = rng.pick(["\n", "\r", "", "\r\n\r\n", "\n\r", "\r\r\n"]);
    return Buffer.from(rng.chance(0.5) ? text.replaceAll("\r\n", by) : text.replace("\r\n", by), "latin1");
  },
  // a long run of one character inside the message
  (m, rng) => {
    const p = at(m, rng);
    const run = Buffer.alloc(rng.between(256, 6000), rng.pick(["a", " ", ";", "%", "<", '"', "\\", "0"]));
    return Buffer.concat([m.subarray(0, p), run, m.subarray(p)]);
  },
  // a separator replaced by another
  (m, rng) => {
    const text = m.toString("latin1");
    const seps = [...text.matchAll(/[:;,<>"@=]/g)];
    if (seps.length === 0) return m;
    const i = rng.pick(seps).index ?? 0;
    return Buffer.from(text.slice(0, i) + rng.pick(SPECIAL) + text.slice(i + 1), "latin1");
  },
];

/** One to four mutations of one of the seeds, at most MAX_FUZZED_BYTES. */
export function fuzzed(seeds: readonly Buffer[], rng: Prng): Buffer {
  let m = rng.pick(seeds);
  for (let i = rng.between(1, 4); i > 0; i--) m = rng.pick(MUTATORS)(m, rng);
  return m.length > MAX_FUZZED_BYTES ? m.subarray(0, MAX_FUZZED_BYTES) : m;
}
