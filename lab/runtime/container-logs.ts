import { dockerApi } from "./docker.js";

/** One frame of a container's log: the stream that wrote it and the bytes written. */
export interface LogFrame {
  readonly stream: "stdin" | "stdout" | "stderr";
  readonly data: Buffer;
}

const STREAMS = ["stdin", "stdout", "stderr"] as const;
const HEADER_BYTES = 8;

/** A frame header: stream type 0, 1 or 2, three zero bytes, then the payload length (uint32, big-endian). */
function isFrameHeader(logs: Buffer, at: number): boolean {
  const type = logs[at];
  return (
    at + HEADER_BYTES <= logs.length && type !== undefined && type <= 2 && logs[at + 1] === 0 && logs[at + 2] === 0 && logs[at + 3] === 0
  );
}

/**
 * Splits the logs of a container without a TTY into its frames (Docker multiplexes stdout and
 * stderr into one body, each write behind an 8-byte header). Bytes that do not start with a
 * header, such as a TTY container's raw output, are one stdout frame, as docker-modem's
 * demuxStream treats them; a frame cut short at the end keeps what arrived.
 */
export function splitLogFrames(logs: Buffer): LogFrame[] {
  const frames: LogFrame[] = [];
  let at = 0;
  while (at < logs.length) {
    if (!isFrameHeader(logs, at)) {
      frames.push({ stream: "stdout", data: logs.subarray(at) });
      break;
    }
    const start = at + HEADER_BYTES;
    const end = Math.min(start + logs.readUInt32BE(at + 4), logs.length);
    frames.push({ stream: STREAMS[logs[at] as 0 | 1 | 2], data: logs.subarray(start, end) });
    at = end;
  }
  return frames;
}

/** The text of a container's log, stdout and stderr in the order written. */
export function logText(logs: Buffer): string {
  return Buffer.concat(splitLogFrames(logs).map((f) => f.data)).toString("utf8");
}

/** The last `tail` lines a container wrote (stdout and stderr interleaved as written). */
export async function containerLogs(container: string, tail = 20): Promise<string> {
  const logs = await (await dockerApi()).getContainer(container).logs({ stdout: true, stderr: true, tail, follow: false });
  return logText(Buffer.isBuffer(logs) ? logs : Buffer.from(logs));
}
