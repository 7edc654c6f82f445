import type { Prng } from "./prng.js";

/**
 * What reaches a SIP-over-TLS port before any TLS session exists: garbage, cleartext SIP, and
 * handshakes that stop half-way (a ClientHello cut short, or whole and then silence). The server
 * must drop each connection and go on serving.
 */

export interface TlsCase {
  readonly name: string;
  readonly bytes: Buffer;
  /** seconds the connection is held open after the bytes (a half handshake waits for the server) */
  readonly holdSeconds: number;
}

const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const withU16Length = (b: Buffer) => Buffer.concat([u16(b.length), b]);

/** A TLS 1.2 ClientHello record for `sni` (RFC 5246, RFC 6066), with random bytes from `rng`. */
export function clientHello(sni: string, rng: Prng): Buffer {
  const name = Buffer.from(sni, "ascii");
  const serverName = withU16Length(Buffer.concat([Buffer.from([0]), withU16Length(name)]));
  const extensions = Buffer.concat([
    Buffer.concat([u16(0x0000), withU16Length(serverName)]), // server_name
    Buffer.concat([u16(0x000a), withU16Length(withU16Length(Buffer.from([0x00, 0x1d, 0x00, 0x17])))]), // supported_groups
    Buffer.concat([u16(0x000b), withU16Length(Buffer.from([1, 0]))]), // ec_point_formats
    Buffer.concat([u16(0x000d), withU16Length(withU16Length(Buffer.from([0x04, 0x03, 0x08, 0x04, 0x04, 0x01])))]), // signature_algorithms
  ]);
  const suites = withU16Length(Buffer.from([0xc0, 0x2f, 0xc0, 0x2b, 0xc0, 0x30, 0x00, 0x9c, 0x00, 0x2f]));
  const body = Buffer.concat([u16(0x0303), rng.bytes(32), Buffer.from([0]), suites, Buffer.from([1, 0]), withU16Length(extensions)]);
  const handshake = Buffer.concat([Buffer.from([0x01]), u24(body.length), body]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01]), u16(handshake.length), handshake]);
}

/** The fixed cases for one TLS port. */
export function tlsCases(sni: string, rng: Prng, sipOptions: Buffer): TlsCase[] {
  const hello = clientHello(sni, rng);
  return [
    { name: "random bytes", bytes: rng.bytes(512), holdSeconds: 0 },
    { name: "cleartext SIP on the TLS port", bytes: sipOptions, holdSeconds: 0 },
    { name: "an HTTP request", bytes: Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), holdSeconds: 0 },
    { name: "a record header announcing 65535 bytes, then nothing", bytes: Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff]), holdSeconds: 2 },
    {
      name: "a record of a content type that does not exist",
      bytes: Buffer.concat([Buffer.from([0x63, 0x03, 0x03, 0x00, 0x10]), rng.bytes(16)]),
      holdSeconds: 0,
    },
    {
      name: "an SSLv2-style hello",
      bytes: Buffer.from([0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10, ...rng.bytes(37)]),
      holdSeconds: 0,
    },
    { name: "a ClientHello cut in half, held open", bytes: hello.subarray(0, Math.floor(hello.length / 2)), holdSeconds: 2 },
    { name: "a whole ClientHello, then silence", bytes: hello, holdSeconds: 2 },
    {
      name: "a ClientHello whose lengths lie",
      bytes: Buffer.concat([hello.subarray(0, 3), u16(0x4000), hello.subarray(5)]),
      holdSeconds: 1,
    },
    { name: "two ClientHellos back to back", bytes: Buffer.concat([hello, hello]), holdSeconds: 0 },
    { name: "4 KiB of zeros", bytes: Buffer.alloc(4096), holdSeconds: 0 },
  ];
}

/** A ClientHello with one to four mutations: the fuzzer's input for a TLS port. */
export function fuzzedHello(sni: string, rng: Prng): Buffer {
  const b = Buffer.from(clientHello(sni, rng));
  const steps = rng.between(1, 4);
  let out = b;
  for (let i = 0; i < steps; i++) {
    const at = rng.int(out.length);
    switch (rng.int(4)) {
      case 0:
        out[at] = (out[at] as number) ^ (1 << rng.int(8));
        break;
      case 1:
        out = out.subarray(0, Math.max(1, at));
        break;
      case 2:
        out = Buffer.concat([out.subarray(0, at), rng.bytes(rng.between(1, 64)), out.subarray(at)]);
        break;
      default:
        if (out.length >= 2) out.writeUInt16BE(rng.pick([0, 1, 0x3fff, 0xffff]), Math.min(at, out.length - 2));
    }
  }
  return out;
}
