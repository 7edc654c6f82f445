import { type PolicyRule, resources } from "./types.js";

/** VMs: SSH keys only (no password), and a daily auto-shutdown schedule each. */
export const vmHygiene: PolicyRule = (synth) => {
  const schedules = resources(synth, "azurerm_dev_test_global_vm_shutdown_schedule").map(([, s]) => String(s.virtual_machine_id));
  return resources(synth, "azurerm_linux_virtual_machine").flatMap(([resource, vm]) => {
    const out = [];
    const name = resource.split(".")[1];
    if (vm.disable_password_authentication !== true || vm.admin_password !== undefined) {
      out.push({
        rule: "vm-hygiene",
        resource,
        message: "password login is possible; allowed: disable_password_authentication true and SSH keys only",
      });
    }
    if (!schedules.includes(`\${azurerm_linux_virtual_machine.${name}.id}`)) {
      out.push({
        rule: "vm-hygiene",
        resource,
        message: "the VM has no auto-shutdown schedule; allowed: one azurerm_dev_test_global_vm_shutdown_schedule per VM",
      });
    }
    return out;
  });
};
