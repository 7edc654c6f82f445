import { lit, UmlabError } from "../../constructs/errors.js";
import type { UmLab } from "../../constructs/lab.js";
import { type RoutingTable, routesOf } from "../../constructs/routes.js";
import { type Topology, topologyOf } from "../../constructs/topology.js";
import { loadLab, parseMode } from "../../nodes/lab-file.js";
import { UsageError } from "../../nodes/usage-error.js";
import { StartedLocalLab } from "../runtime/local-lab.js";
import { instanceName } from "./command.js";

/** What `graph` and `routes` draw: a running lab, or a mode of the model alone (no Docker). */
export interface LabPicture {
  readonly topology: Topology;
  /** undefined when the running lab's model is not known (see `routesMissing`) */
  readonly routes?: RoutingTable;
  readonly routesMissing?: string;
  readonly source: "model" | "running";
}

export interface LabSourceOptions {
  readonly mode?: string;
  readonly config?: string;
  readonly instance?: string;
}

/**
 * Why a model does not describe a running lab (another lab file, or edited since `up`), or
 * undefined when its users, numbers and mailboxes are the running lab's.
 */
export function modelMismatch(lab: UmLab, running: Topology): string | undefined {
  const model = topologyOf(lab, { instance: running.instance });
  const key = (t: Topology) =>
    t.users
      .map((u) => `${u.name}/${u.extension}/${u.mailboxNode}/${u.tenant ?? ""}`)
      .sort()
      .join(" ");
  if (model.mode !== running.mode) return `the model is in mode ${model.mode}, the running lab in ${running.mode}`;
  if (key(model) !== key(running)) return "its users, extensions or mailboxes differ from the running lab's";
  return undefined;
}

/** The running lab's routing table: its own topology (addresses), the model's policies. */
export async function runningRoutes(running: Topology, config: string | undefined): Promise<Pick<LabPicture, "routes" | "routesMissing">> {
  const lab = await loadLab(running.mode, config);
  const mismatch = modelMismatch(lab, running);
  if (!mismatch) return { routes: routesOf(lab, running) };
  const model = config ? `lab file ${config}` : "the built-in lab";
  return {
    routesMissing: `${model} does not describe lab ${running.instance} (${mismatch}); pass the lab file it was started from with --config`,
  };
}

/** Whether an error only means "no running lab to look at" (none of that name, or no engine). */
function noRunningLab(err: unknown): boolean {
  return UmlabError.isUmlabError(err) && (err.code === "LabNotRunning" || err.code === "DockerUnavailable");
}

/**
 * `--mode`/`--config` without `--instance`: the model alone, as `up` would place it (no Docker).
 * Otherwise the running lab `--instance` (default `lab`); when none runs and no instance was named,
 * the model in its default mode, said on `note`.
 */
export async function labPicture(o: LabSourceOptions, note: (line: string) => void): Promise<LabPicture> {
  const mode = parseMode(o.mode, undefined);
  if ((mode || o.config) && o.instance === undefined) return modelPicture(mode, o.config);
  const instance = instanceName(o.instance);
  let running: StartedLocalLab;
  try {
    running = await StartedLocalLab.attach(instance);
  } catch (err) {
    if (o.instance !== undefined || !noRunningLab(err)) throw err;
    const picture = await modelPicture(mode, o.config);
    note(
      `no lab "${instance}" runs here; showing the ${picture.topology.mode} model (start it with \`umlab up\`, or pick one with --mode)`,
    );
    return picture;
  }
  if (mode && mode !== running.topology.mode) {
    throw new UsageError(
      lit`ModeContradictsLab`,
      `--mode ${mode} contradicts lab ${instance}, which runs in mode ${running.topology.mode}; drop --mode or --instance`,
    );
  }
  return { topology: running.topology, ...(await runningRoutes(running.topology, o.config)), source: "running" };
}

async function modelPicture(mode: ReturnType<typeof parseMode>, config: string | undefined): Promise<LabPicture> {
  const lab = await loadLab(mode, config);
  const topology = topologyOf(lab);
  return { topology, routes: routesOf(lab, topology), source: "model" };
}
