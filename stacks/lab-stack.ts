import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider/index.js";
import type { Construct } from "constructs";
import type { UmLab } from "../constructs/lab.js";
import { type Topology, topologyOf } from "../constructs/topology.js";
import { nodeFiles, tlsParties } from "../nodes/files.js";
import type { TlsMaterial } from "../nodes/pki.js";
import { CALL_CHECKS_PATH } from "./call-checks.js";
import { TerraformOutput, TerraformStack } from "./cdktf.js";
import { PUBLIC_PLACEHOLDERS } from "./cloud-init.js";
import { labDns } from "./dns.js";
import { type LabPublicIps, labNetwork, labPublicIps } from "./network.js";
import { LabPlacement } from "./placement.js";
import { securityRules } from "./security-rules.js";
import { labVariables } from "./variables.js";
import { ADMIN_USER, labVms } from "./vms.js";

export interface LabStackProps {
  readonly lab: UmLab;
  /**
   * TLS material of the parties that hold it (edge, hosted UM), by node name: one entry for every
   * party of `LabStack.tlsParties(lab)`. Made by the app (stacks/main.ts keeps it in
   * .umlab/pki/<lab>/), so that building the stack runs no openssl and writes no file.
   */
  readonly pki: Readonly<Record<string, TlsMaterial>>;
}

/**
 * `cdktf deploy lab`: the same UmLab on Azure. The enterprise (front end, on-prem UM, phones, edge)
 * and the provider (hosted UM) each get a resource group and a VNet with the model's address
 * plan; the edge has an internal NIC and a DMZ NIC with a Standard static public IP, the hosted UM
 * a public IP of its own. Each VM's cloud-init runs the same images and the same rendered
 * configuration as the local lab. Only the roles of the lab's mode exist.
 *
 * Every resource sits in the stack's own scope: construct IDs name the Terraform resources.
 */
export class LabStack extends TerraformStack {
  /** The nodes that need TLS material on Azure, and the name on their certificate. */
  static tlsParties(lab: UmLab): Record<string, string> {
    return tlsParties(topologyOf(lab, { realization: "azure" }));
  }

  readonly topology: Topology;

  constructor(scope: Construct, id: string, props: LabStackProps) {
    super(scope, id);
    const lab = props.lab.validateModel();
    const missing = Object.keys(LabStack.tlsParties(lab)).filter((p) => !props.pki[p]);
    if (missing.length > 0) {
      throw new Error(`pki has no TLS material for ${missing.join(", ")}; required: one entry per party of LabStack.tlsParties(lab)`);
    }
    new AzurermProvider(this, "azurerm", { features: [{}] });
    const variables = labVariables(this);
    const placement = LabPlacement.create(this, lab, variables.location);
    const publicIps = labPublicIps(this, lab, placement);
    const fed = publicIps.federation;
    const t = topologyOf(lab, { realization: "azure", ...(fed ? { publicAddresses: PUBLIC_PLACEHOLDERS } : {}) });
    this.topology = t;
    const rules = securityRules(lab, t, {
      sshFrom: variables.sshSourceRange,
      edgePublic: fed?.edge.ipAddress,
      hostedPublic: fed?.["hosted-um"].ipAddress,
    });
    const network = labNetwork(this, lab, t, placement, rules);
    labVms(this, t, { placement, network, publicIps, variables, files: nodeFiles(lab, t, props.pki) });
    labDns(this, lab, t, { placement, network, publicIps });
    labOutputs(this, lab, t, publicIps);
  }
}

/** What `cdktf output lab` shows: the mode, names, users, public IPs and how to run the call checks. */
function labOutputs(scope: Construct, lab: UmLab, t: Topology, publicIps: LabPublicIps): void {
  new TerraformOutput(scope, "mode", { value: lab.mode });
  new TerraformOutput(scope, "fqdns", {
    value: Object.fromEntries(t.nodes.filter((n) => n.role !== "phone").map((n) => [n.name, n.fqdn])),
  });
  new TerraformOutput(scope, "users", {
    value: t.users.map((u) => ({ name: u.name, extension: u.extension, sipUri: u.sipUri, mailbox: u.mailbox })),
  });
  const phones = publicIps.phones.ipAddress;
  new TerraformOutput(scope, "phones_public_ip", { value: phones });
  new TerraformOutput(scope, "call_checks", { value: `ssh ${ADMIN_USER}@${phones} sudo bash ${CALL_CHECKS_PATH}` });
  if (publicIps.federation) {
    new TerraformOutput(scope, "edge_public_ip", { value: publicIps.federation.edge.ipAddress });
    new TerraformOutput(scope, "hosted_um_public_ip", { value: publicIps.federation["hosted-um"].ipAddress });
  }
}
