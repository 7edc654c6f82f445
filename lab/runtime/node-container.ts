import { GenericContainer, Wait } from "testcontainers";
import type { RenderedFile } from "../../constructs/render/index.js";
import { isSecretFile } from "../../nodes/files.js";
import { LABEL } from "./docker.js";

/**
 * One lab node as a container, in the style of a testcontainers module: defaults set here,
 * fluent `withX(): this` setters, `start()` from GenericContainer. Adds what GenericContainer
 * lacks: a fixed address on a user-defined network (the model's address plan) and the lab's DNS
 * server as resolver. No network alias: every name a node routes by comes from the lab's DNS
 * servers, as in the real thing.
 */
export class LabNodeContainer extends GenericContainer {
  private endpoint?: { network: string; ip: string };
  private resolver?: string;

  constructor(image: string, instance: string, node: string, role: string) {
    super(image);
    this.withName(`umlab-${instance}-${node}`)
      .withHostname(node)
      .withLabels({ [LABEL.instance]: instance, [LABEL.node]: node, [LABEL.role]: role })
      .withEnvironment({ UMLAB_NODE: node })
      .withAutoCleanup(false)
      // The entrypoint's first line; health (SIP OPTIONS, Asterisk fully booted) is checked afterwards.
      .withWaitStrategy(Wait.forLogMessage(`umlab: node ${node} starting`))
      .withStartupTimeout(60_000);
  }

  /** Attaches the container to `network` at `ip` when it is created. */
  withAddress(network: string, ip: string): this {
    this.withNetworkMode(network);
    this.endpoint = { network, ip };
    return this;
  }

  /**
   * The DNS server the node resolves through. Docker's embedded resolver, which the container's
   * resolv.conf names, forwards to it every name but the containers' own names, which nothing
   * routes by.
   */
  withResolver(ip: string): this {
    this.resolver = ip;
    return this;
  }

  /**
   * Further addresses on a network the container is already on (address/prefix), which its
   * entrypoint adds to the interface: the phone bank's phones. Grants CAP_NET_ADMIN for that.
   */
  withSecondaryAddresses(cidrs: string[]): this {
    return this.withEnvironment({ UMLAB_SECONDARY_ADDRESSES: cidrs.join(" ") }).withAddedCapabilities("NET_ADMIN");
  }

  /** Every address the node must have before its daemons start (the entrypoint waits for them). */
  withExpectedAddresses(ips: string[]): this {
    return this.withEnvironment({ UMLAB_ADDRESSES: ips.join(" ") });
  }

  /** Rendered configuration, copied under /etc/umlab when the container is created. */
  withConfiguration(files: readonly RenderedFile[]): this {
    return this.withCopyContentToContainer(
      files.map((f) => ({ content: f.content, target: `/etc/umlab/${f.path}`, mode: isSecretFile(f.path) ? 0o600 : 0o644 })),
    );
  }

  protected override async beforeContainerCreated(): Promise<void> {
    if (this.resolver) this.hostConfig.Dns = [this.resolver];
    if (!this.endpoint) return;
    const { network, ip } = this.endpoint;
    this.createOpts.NetworkingConfig = { EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: ip } } } };
  }
}
