/**
 * Where a lab start spends its time: its phases in order, and each node's way from the start of
 * the nodes phase to its container running and to healthy (they overlap: a node is probed as soon
 * as its container runs). Read by `npm run bench`; a start records them whether or not anyone reads.
 */
export interface StartTimings {
  /** Milliseconds per phase, in the order they ran; together they are the whole start. */
  readonly phases: readonly { readonly phase: string; readonly ms: number }[];
  /** Per node, milliseconds since the nodes phase began. */
  readonly nodes: readonly { readonly node: string; readonly runningMs: number; readonly healthyMs: number }[];
}

/** Records a start's phases as they end, and its nodes as they come up. */
export class StartClock {
  private last = Date.now();
  private nodesFrom = this.last;
  private readonly phases: { phase: string; ms: number }[] = [];
  private readonly nodes = new Map<string, { runningMs: number; healthyMs: number }>();

  /** Ends the phase under way, naming it. */
  phaseDone(phase: string): void {
    const now = Date.now();
    this.phases.push({ phase, ms: now - this.last });
    this.last = now;
  }

  /** The nodes phase begins: node times count from here. */
  nodesBegin(): void {
    this.nodesFrom = Date.now();
  }

  nodeRunning(node: string): void {
    this.nodes.set(node, { runningMs: Date.now() - this.nodesFrom, healthyMs: Number.NaN });
  }

  nodeHealthy(node: string): void {
    const n = this.nodes.get(node) ?? { runningMs: Number.NaN, healthyMs: 0 };
    this.nodes.set(node, { ...n, healthyMs: Date.now() - this.nodesFrom });
  }

  timings(): StartTimings {
    return { phases: [...this.phases], nodes: [...this.nodes].map(([node, t]) => ({ node, ...t })) };
  }
}
