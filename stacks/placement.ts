import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group/index.js";
import type { Construct } from "constructs";
import type { UmLab } from "../constructs/lab.js";
import type { Side } from "../nodes/kinds.js";

/** What every resource of one side repeats: where it lives, and its tags. */
export interface Placed {
  readonly location: string;
  readonly resourceGroupName: string;
  readonly tags: Record<string, string>;
}

/**
 * The lab's resource groups, one per side (enterprise, and provider when the mode has one), and
 * the name prefix and tags every resource carries. Not a construct: the groups are created in the
 * stack's own scope, so their Terraform names stay the construct IDs "enterprise" and "provider".
 */
export class LabPlacement {
  static create(scope: Construct, lab: UmLab, location: string): LabPlacement {
    const tags = { "umlab-lab": lab.node.id, "umlab-mode": lab.mode, "managed-by": "umlab" };
    const prefix = `umlab-${lab.node.id}`;
    const group = (side: Side) => new ResourceGroup(scope, side, { name: `${prefix}-${side}`, location, tags });
    return new LabPlacement(prefix, tags, location, group("enterprise"), lab.usesProvider ? group("provider") : undefined);
  }

  private constructor(
    /** `umlab-<lab>`: the start of every Azure resource name */
    readonly prefix: string,
    readonly tags: Record<string, string>,
    /** the Azure region (a Terraform reference to the `location` variable) */
    readonly location: string,
    readonly enterprise: ResourceGroup,
    /** only when the mode has a provider (cross-premises, mixed) */
    readonly provider: ResourceGroup | undefined,
  ) {}

  /** The resource group of a side; the provider's exists only in modes with a provider. */
  group(side: Side): ResourceGroup {
    if (side === "enterprise") return this.enterprise;
    if (!this.provider) throw new Error("side provider: this lab has no provider resource group (its mode has no provider)");
    return this.provider;
  }

  /** Location, resource group and tags for a resource of `side`. */
  at(side: Side): Placed {
    return { location: this.location, resourceGroupName: this.group(side).name, tags: this.tags };
  }
}
