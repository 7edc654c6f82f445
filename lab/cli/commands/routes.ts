import { ExitCode, lit } from "../../../constructs/errors.js";
import { UsageError } from "../../../nodes/usage-error.js";
import { out, progress } from "../io.js";
import { labPicture } from "../lab-source.js";
import { routesView } from "../views.js";

export async function run({ values }: { values: { mode?: string; config?: string; instance?: string; json?: boolean } }): Promise<number> {
  const picture = await labPicture(values, progress);
  if (!picture.routes) throw new UsageError(lit`RoutesUnknown`, picture.routesMissing ?? "the lab's routing table is not known");
  out(values.json ? JSON.stringify(picture.routes, null, 2) : routesView(picture.routes));
  return ExitCode.ok;
}
