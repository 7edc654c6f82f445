/**
 * The spectrum of a recording, so a report can show where its energy is (the caller's 1004 Hz
 * test tone is one sharp line). Welch's method: Hann-windowed frames, half overlapping, each
 * transformed (a plain DFT: frames are short and recordings seconds long), magnitudes averaged.
 */

export interface Spectrum {
  readonly sampleRate: number;
  /** Hz between two bins */
  readonly binHz: number;
  /** mean power per bin from 0 Hz to the Nyquist frequency, in dB relative to full scale */
  readonly db: readonly number[];
}

const FLOOR_DB = -120;

function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
  return w;
}

/** Power of each bin 0..n/2 of one windowed frame. */
function framePower(frame: Float64Array, cos: Float64Array, sin: Float64Array): Float64Array {
  const n = frame.length;
  const power = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      const idx = (k * i) % n;
      re += (frame[i] as number) * (cos[idx] as number);
      im -= (frame[i] as number) * (sin[idx] as number);
    }
    power[k] = re * re + im * im;
  }
  return power;
}

/** Averaged spectrum of 16-bit samples; `size` samples per frame (a power of two). */
export function spectrumOf(samples: Int16Array, sampleRate: number, size = 512): Spectrum {
  const window = hann(size);
  const cos = new Float64Array(size);
  const sin = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / size);
    sin[i] = Math.sin((2 * Math.PI * i) / size);
  }
  const sum = new Float64Array(size / 2 + 1);
  let frames = 0;
  // At most 48 frames spread over the recording: enough for a steady average, fast for long messages.
  const starts = Math.max(0, Math.floor((samples.length - size) / (size / 2)) + 1);
  const step = Math.max(1, Math.ceil(starts / 48));
  for (let s = 0; s < starts; s += step) {
    const frame = new Float64Array(size);
    for (let i = 0; i < size; i++) frame[i] = ((samples[s * (size / 2) + i] as number) / 32768) * (window[i] as number);
    const p = framePower(frame, cos, sin);
    for (let k = 0; k < p.length; k++) sum[k] = (sum[k] as number) + (p[k] as number);
    frames++;
  }
  const gain = window.reduce((a, b) => a + b, 0) ** 2 / 4; // a full-scale sine reads 0 dB
  const db = Array.from(sum, (p) => (frames === 0 || p === 0 ? FLOOR_DB : Math.max(FLOOR_DB, 10 * Math.log10(p / frames / gain))));
  return { sampleRate, binHz: sampleRate / size, db };
}

/** The strongest frequency, refined between bins (parabolic interpolation of the dB peak). */
export function peakHz(s: Spectrum): number {
  let k = 1;
  for (let i = 1; i < s.db.length; i++) if ((s.db[i] as number) > (s.db[k] as number)) k = i;
  const [a, b, c] = [s.db[k - 1] ?? FLOOR_DB, s.db[k] as number, s.db[k + 1] ?? FLOOR_DB];
  const denom = a - 2 * b + c;
  const offset = denom === 0 ? 0 : (0.5 * (a - c)) / denom;
  return (k + offset) * s.binHz;
}
