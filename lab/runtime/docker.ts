import { type ContainerRuntimeClient, getContainerRuntimeClient } from "testcontainers";

// Ryuk (testcontainers' reaper) is an image that cannot be pulled on an air-gapped machine, and a
// lab started by `umlab up` must outlive the command. umlab removes what it creates itself.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

/** Raised when no Docker engine answers: says what to start. */
export class DockerUnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      "no Docker engine answers (checked DOCKER_HOST or /var/run/docker.sock). Start one, e.g. as root: " +
        "`bash lab/scripts/ensure-docker.sh` (installs docker.io if missing and starts dockerd), then retry. " +
        `Cause: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = "DockerUnavailableError";
  }
}

let client: Promise<ContainerRuntimeClient> | undefined;

/** The Docker engine, through testcontainers; fails fast with DockerUnavailableError. */
export async function docker(): Promise<ContainerRuntimeClient> {
  client ??= getContainerRuntimeClient().catch((err) => {
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
