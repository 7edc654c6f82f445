import { xml } from "../../nodes/graph/svg.js";
import { peakHz, type Spectrum } from "./spectrum.js";

const W = 560;
const H = 190;
const M = { left: 44, right: 12, top: 14, bottom: 30 };
const DB_MIN = -100;

/**
 * A recording's spectrum as inline SVG: dB against Hz up to the Nyquist frequency, with the
 * expected tone marked, so a room sees the caller's 1004 Hz line where it belongs.
 */
export function spectrumSvg(s: Spectrum, markHz: number): string {
  const maxHz = s.sampleRate / 2;
  const x = (hz: number) => M.left + (hz / maxHz) * (W - M.left - M.right);
  const y = (db: number) => M.top + (Math.min(0, Math.max(DB_MIN, db)) / DB_MIN) * (H - M.top - M.bottom);
  const points = s.db.map((db, k) => `${x(k * s.binHz).toFixed(1)},${y(db).toFixed(1)}`).join(" ");
  const ticks: string[] = [];
  for (let hz = 0; hz <= maxHz; hz += 500) {
    ticks.push(`<line x1="${x(hz)}" y1="${H - M.bottom}" x2="${x(hz)}" y2="${H - M.bottom + 4}" stroke="#888"/>`);
    ticks.push(`<text x="${x(hz)}" y="${H - M.bottom + 15}" text-anchor="middle" class="ax">${hz}</text>`);
  }
  for (let db = 0; db >= DB_MIN; db -= 20) {
    ticks.push(`<line x1="${M.left}" y1="${y(db)}" x2="${W - M.right}" y2="${y(db)}" stroke="#eee"/>`);
    ticks.push(`<text x="${M.left - 4}" y="${y(db) + 4}" text-anchor="end" class="ax">${db}</text>`);
  }
  const peak = peakHz(s);
  const peakDb = Math.max(...s.db);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="spectrum" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="spectrum, peak ${peak.toFixed(0)} Hz">`,
    `<style>.ax{font:10px sans-serif;fill:#555}.mk{font:11px sans-serif;fill:#b03030}</style>`,
    ...ticks,
    `<polyline points="${points}" fill="none" stroke="#2f6db5" stroke-width="1.3"/>`,
    `<line x1="${x(markHz)}" y1="${M.top}" x2="${x(markHz)}" y2="${H - M.bottom}" stroke="#b03030" stroke-dasharray="4 3"/>`,
    `<text x="${x(markHz) + 6}" y="${M.top + 10}" class="mk">${markHz} Hz test tone; peak ${peak.toFixed(0)} Hz at ${peakDb.toFixed(0)} dBFS</text>`,
    `<text x="${W - M.right}" y="${H - 2}" text-anchor="end" class="ax">Hz</text>`,
    `<text x="4" y="${M.top + 4}" class="ax">dB</text>`,
    "</svg>",
  ].join("");
}

/** The waveform as inline SVG: the min..max envelope of each pixel column. */
export function waveformSvg(samples: Int16Array, sampleRate: number): string {
  const h = 70;
  const cols = W - M.left - M.right;
  const per = Math.max(1, Math.floor(samples.length / cols));
  const bars: string[] = [];
  for (let c = 0; c < cols && c * per < samples.length; c++) {
    let lo = 0;
    let hi = 0;
    for (let i = c * per; i < Math.min(samples.length, (c + 1) * per); i++) {
      const v = samples[i] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const y1 = h / 2 - (hi / 32768) * (h / 2);
    const y2 = h / 2 - (lo / 32768) * (h / 2);
    bars.push(`M${M.left + c},${y1.toFixed(1)}V${Math.max(y2, y1 + 0.5).toFixed(1)}`);
  }
  const seconds = (samples.length / sampleRate).toFixed(1);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="waveform" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="${xml(`waveform, ${seconds} s`)}"><path d="${bars.join("")}" stroke="#2e8b57" stroke-width="1"/><text x="4" y="12" style="font:10px sans-serif;fill:#555">${seconds} s</text></svg>`;
}
