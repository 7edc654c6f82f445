import type { Topology, TopologyUser } from "../../constructs/topology.js";
import { accountFileOf, parseAccountFile } from "../../nodes/calls/plan.js";
import { readContainerFile } from "./read-file.js";

/**
 * The topology as a Docker label may hold it: without the users' passwords and PINs. Labels are
 * for anyone who can `docker inspect` or list networks; the secrets stay in the phones' account
 * files (owner-only, inside the containers), from which `attach` reads them back.
 */
export function withoutSecrets(t: Topology): Topology {
  // The label's JSON has no password or pin; the type keeps them, filled in by withPhoneSecrets.
  return { ...t, users: t.users.map(({ password: _p, pin: _n, ...u }) => u as TopologyUser) };
}

/** One file out of a container, running or stopped; undefined if absent. */
async function readFromContainer(container: string, path: string): Promise<string | undefined> {
  try {
    return (await readContainerFile(container, path)).toString("utf8");
  } catch {
    return undefined;
  }
}

/**
 * The topology with each user's password and PIN, read from the account file the user's phone
 * carries (nodes/calls/plan.ts accountFileOf). A phone that is gone or holds another account leaves
 * its user's secrets empty: the checks that need them then fail on authentication, visibly.
 */
export async function withPhoneSecrets(t: Topology): Promise<Topology> {
  const users = await Promise.all(
    t.users.map(async (u) => {
      const phone = t.nodes.find((n) => n.name === u.phone);
      const text = phone ? await readFromContainer(phone.container, accountFileOf(phone.name)) : undefined;
      const account = text ? parseAccountFile(text) : undefined;
      const mine = account?.sipUser === u.sipUser ? account : undefined;
      // A lab started before phones held accounts still has them in its label.
      return { ...u, password: mine?.password ?? u.password ?? "", pin: mine?.pin ?? u.pin ?? "" };
    }),
  );
  return { ...t, users };
}
