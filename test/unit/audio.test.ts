import { describe, expect, it } from "vitest";
import { mulaw, readWav, sineSamples, toneEnergy, wavFile } from "../../constructs/render/audio.js";
import { TEST_TONE_HZ, tonePcap } from "../../nodes/calls/media.js";

describe("audio analysis used by the deposit checks", () => {
  it("finds the test tone and rejects other signals", () => {
    expect(toneEnergy(sineSamples(TEST_TONE_HZ, 1), TEST_TONE_HZ).ratio).toBeGreaterThan(0.99);
    expect(toneEnergy(sineSamples(440, 1), TEST_TONE_HZ).ratio).toBeLessThan(0.01);
    expect(toneEnergy(new Int16Array(8000), TEST_TONE_HZ).ratio).toBe(0);
    const noise = Int16Array.from({ length: 8000 }, (_, i) => ((i * 7919) % 2000) - 1000);
    expect(toneEnergy(noise, TEST_TONE_HZ).ratio).toBeLessThan(0.1);
  });

  it("reads back the WAV it writes", () => {
    const s = sineSamples(1000, 0.1);
    const { sampleRate, samples } = readWav(wavFile(s));
    expect(sampleRate).toBe(8000);
    expect([...samples]).toEqual([...s]);
  });

  it("encodes G.711 mu-law like the standard tables", () => {
    expect(mulaw(0)).toBe(0xff);
    expect(mulaw(-1)).toBe(0x7f);
    expect(mulaw(32767)).toBe(0x80);
    expect(mulaw(-32768)).toBe(0x00);
  });

  it("writes the tone as 20 ms PCMU RTP packets in a pcap", () => {
    const pcap = tonePcap(TEST_TONE_HZ, 1);
    expect(pcap.readUInt32LE(0)).toBe(0xa1b2c3d4);
    const record = 16 + 14 + 20 + 8 + 12 + 160;
    expect((pcap.length - 24) / record).toBe(50);
    const firstRtp = 24 + 16 + 14 + 20 + 8;
    expect(pcap[firstRtp]).toBe(0x80);
    expect((pcap[firstRtp + 1] as number) & 0x7f).toBe(0); // PCMU
  });
});
