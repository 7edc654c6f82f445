/** Telephony audio helpers: 8 kHz mono, 16-bit PCM and G.711 mu-law. Pure functions, no I/O. */
export const SAMPLE_RATE = 8000;

/** A sine tone: `seconds` long at `hz`, peak `level` (0..1 of full scale). */
export function sineSamples(hz: number, seconds: number, level = 0.3): Int16Array {
  const n = Math.round(seconds * SAMPLE_RATE);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE) * level * 32767);
  return out;
}

/** A RIFF/WAVE file of 16-bit PCM mono at 8 kHz (the format Asterisk's `wav` reads and writes). */
export function wavFile(samples: Int16Array): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) data.writeInt16LE(samples[i] as number, i * 2);
  const h = Buffer.alloc(44);
  h.write("RIFF", 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write("WAVE", 8);
  h.write("fmt ", 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(SAMPLE_RATE, 24);
  h.writeUInt32LE(SAMPLE_RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** Reads the 16-bit PCM samples of a WAVE file (walks the chunks, so extra chunks are fine). */
export function readWav(file: Buffer): { sampleRate: number; samples: Int16Array } {
  if (file.toString("ascii", 0, 4) !== "RIFF" || file.toString("ascii", 8, 12) !== "WAVE") {
    throw new Error("not a RIFF/WAVE file");
  }
  let off = 12;
  let sampleRate = 0;
  let bits = 0;
  while (off + 8 <= file.length) {
    const id = file.toString("ascii", off, off + 4);
    const size = file.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === "fmt ") {
      if (file.readUInt16LE(body) !== 1) throw new Error("WAVE file is not PCM");
      sampleRate = file.readUInt32LE(body + 4);
      bits = file.readUInt16LE(body + 14);
    } else if (id === "data") {
      if (bits !== 16) throw new Error(`WAVE file has ${bits}-bit samples; expected 16`);
      const end = Math.min(body + size, file.length);
      const samples = new Int16Array(Math.floor((end - body) / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = file.readInt16LE(body + i * 2);
      return { sampleRate, samples };
    }
    off = body + size + (size % 2);
  }
  throw new Error("WAVE file has no data chunk");
}

/** G.711 mu-law encoding of one 16-bit sample (ITU-T G.711, with the usual bias of 0x84). */
export function mulaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  const sign = sample < 0 ? 0x80 : 0;
  let s = Math.min(Math.abs(sample), CLIP) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  s = ~(sign | (exponent << 4) | mantissa) & 0xff;
  return s;
}

/**
 * How much of a signal's energy sits at one frequency (Goertzel), 0..1, and its RMS level in dBFS.
 * A recording of a pure test tone scores near 1; speech, silence or another tone score low.
 */
export function toneEnergy(samples: Int16Array, hz: number, sampleRate = SAMPLE_RATE): { ratio: number; rmsDbfs: number } {
  if (samples.length === 0) return { ratio: 0, rmsDbfs: -Infinity };
  const k = (2 * Math.PI * hz) / sampleRate;
  const coeff = 2 * Math.cos(k);
  let s1 = 0;
  let s2 = 0;
  let total = 0;
  for (const x of samples) {
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
    total += x * x;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  // A sine of amplitude A over N samples gives power (A*N/2)^2 and total energy A^2*N/2.
  const ratio = total === 0 ? 0 : Math.min(1, (2 * power) / (samples.length * total));
  const rms = Math.sqrt(total / samples.length);
  return { ratio, rmsDbfs: 20 * Math.log10(rms / 32768) };
}
