import type Dockerode from "dockerode";
import { type ContainerRuntimeClient, getContainerRuntimeClient } from "testcontainers";
import { ExitCode, lit, UmlabError } from "../../constructs/errors.js";

// Ryuk (testcontainers' reaper) is an image that cannot be pulled on an air-gapped machine, and a
// lab started by `umlab up` must outlive the command. umlab removes what it creates itself.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

/** A lab could not be started or reached; the message is the whole story (printed without a stack, exit 1). */
export class LabError extends UmlabError {}

/** Raised when no Docker engine answers: says what to start (exit 3). */
export class DockerUnavailableError extends LabError {
  override readonly exitCode: number = ExitCode.environment;

  constructor(cause: unknown) {
    super(
      lit`DockerUnavailable`,
      `no Docker engine answers at ${engineAddress()}. Start one, e.g. as root: ` +
        "`bash lab/scripts/ensure-docker.sh` (installs docker.io if missing and starts dockerd), then retry. " +
        `Cause: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

let client: Promise<ContainerRuntimeClient> | undefined;

/** Where umlab looks for the engine, for messages: DOCKER_HOST if set, else the local sockets testcontainers tries. */
function engineAddress(): string {
  return process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock (nor at a rootless socket such as $XDG_RUNTIME_DIR/docker.sock)";
}

/** A first answer from an engine takes well under a second; a silent TCP address would otherwise hang for minutes. */
const ENGINE_ANSWER_TIMEOUT_MS = 30_000;

/**
 * The Docker engine, found the way testcontainers finds it (DOCKER_HOST with TLS,
 * ~/.testcontainers.properties, /var/run/docker.sock, rootless sockets), as the one client every
 * Docker call of umlab goes through. Fails fast with DockerUnavailableError.
 */
export async function docker(): Promise<ContainerRuntimeClient> {
  client ??= withTimeout(getContainerRuntimeClient(), ENGINE_ANSWER_TIMEOUT_MS)
    .then(assertNamedEngine)
    .catch((err) => {
      client = undefined;
      throw new DockerUnavailableError(err);
    });
  return client;
}

/** The Docker API of that one client (dockerode), for what testcontainers has no call for. */
export async function dockerApi(): Promise<Dockerode> {
  return (await docker()).container.dockerode;
}

/** The engine a client talks to, as a DOCKER_HOST value (for scripts that run the docker CLI). */
export function engineUri(dockerode: Dockerode): string {
  // docker-modem keeps the address it dials; its type declarations do not list these fields.
  const modem = dockerode.modem as unknown as { socketPath?: string; host?: string; port?: string | number };
  return modem.socketPath ? `unix://${modem.socketPath}` : `tcp://${modem.host}${modem.port ? `:${modem.port}` : ""}`;
}

/**
 * testcontainers falls back to the next engine it finds when DOCKER_HOST does not answer; umlab
 * talks to the engine the user named, or fails.
 */
function assertNamedEngine(c: ContainerRuntimeClient): ContainerRuntimeClient {
  const named = process.env.DOCKER_HOST;
  if (!named) return c;
  const found = engineUri(c.container.dockerode);
  const url = new URL(named);
  const same = found === (url.hostname ? `tcp://${url.hostname}${url.port ? `:${url.port}` : ""}` : `unix://${url.pathname}`);
  if (!same) throw new Error(`DOCKER_HOST ${named} does not answer (another engine answers at ${found}; umlab does not fall back to it)`);
  return c;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Labels on everything umlab creates, so `status` and `down` find it and nothing else. */
export const LABEL = {
  instance: "io.umlab.instance",
  node: "io.umlab.node",
  role: "io.umlab.role",
  topology: "io.umlab.topology",
} as const;
