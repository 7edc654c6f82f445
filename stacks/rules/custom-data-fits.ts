import { type PolicyRule, resources } from "./types.js";

/** Azure refuses custom data over 64 KiB; the rule measures the cloud-config a VM would get. */
export const CUSTOM_DATA_LIMIT_BYTES = 64 * 1024;

/** The cloud-config text inside `${base64encode("...")}`, with Terraform references kept as written. */
export function cloudConfigOf(customData: string): string | undefined {
  const m = /^\$\{base64encode\((".*")\)\}$/s.exec(customData);
  if (!m?.[1]) return undefined;
  try {
    return JSON.parse(m[1]) as string;
  } catch {
    return undefined;
  }
}

export const customDataFits: PolicyRule = (synth) =>
  resources(synth, "azurerm_linux_virtual_machine").flatMap(([resource, vm]) => {
    if (typeof vm.custom_data !== "string") return [];
    const text = cloudConfigOf(vm.custom_data) ?? vm.custom_data;
    const bytes = Buffer.byteLength(text);
    return bytes > CUSTOM_DATA_LIMIT_BYTES
      ? [
          {
            rule: "custom-data-fits",
            resource,
            message: `cloud-init is ${bytes} bytes; allowed: at most ${CUSTOM_DATA_LIMIT_BYTES} (Azure's custom data limit)`,
          },
        ]
      : [];
  });
