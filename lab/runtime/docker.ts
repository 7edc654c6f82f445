import { request } from "node:http";
import { type ContainerRuntimeClient, getContainerRuntimeClient } from "testcontainers";

// Ryuk (testcontainers' reaper) is an image that cannot be pulled on an air-gapped machine, and a
// lab started by `umlab up` must outlive the command. umlab removes what it creates itself.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

/** An error whose message is the whole story: the command line prints it without a stack. */
export class LabError extends Error {}

/** Raised when no Docker engine answers: says what to start. */
export class DockerUnavailableError extends LabError {
  constructor(cause: unknown) {
    super(
      `no Docker engine answers at ${engineAddress()}. Start one, e.g. as root: ` +
        "`bash lab/scripts/ensure-docker.sh` (installs docker.io if missing and starts dockerd), then retry. " +
        `Cause: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = "DockerUnavailableError";
  }
}

let client: Promise<ContainerRuntimeClient> | undefined;

function engineAddress(): string {
  return process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

/**
 * Asks the engine named by DOCKER_HOST (default: the local socket) for /_ping. testcontainers
 * would quietly fall back to another engine; umlab talks to the one the user named, or fails.
 */
function ping(timeoutMs = 3000): Promise<void> {
  const address = engineAddress();
  const target = address.startsWith("unix://")
    ? { socketPath: address.slice("unix://".length) }
    : (() => {
        const u = new URL(address.replace(/^tcp:/, "http:"));
        return { host: u.hostname, port: Number(u.port || 2375) };
      })();
  return new Promise((resolve, reject) => {
    const req = request({ ...target, path: "/_ping", timeout: timeoutMs }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new Error(`/_ping answered ${res.statusCode}`));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** The Docker engine, through testcontainers; fails fast with DockerUnavailableError. */
export async function docker(): Promise<ContainerRuntimeClient> {
  client ??= ping()
    .then(getContainerRuntimeClient)
    .catch((err) => {
      client = undefined;
      throw new DockerUnavailableError(err);
    });
  return client;
}

/** Labels on everything umlab creates, so `status` and `down` find it and nothing else. */
export const LABEL = {
  instance: "io.umlab.instance",
  node: "io.umlab.node",
  role: "io.umlab.role",
  topology: "io.umlab.topology",
} as const;
