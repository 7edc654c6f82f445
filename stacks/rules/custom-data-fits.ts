import { type PolicyRule, resources } from "./types.js";

/** Azure refuses custom data over 64 KiB; the rule measures the cloud-config a VM would get. */
export const CUSTOM_DATA_LIMIT_BYTES = 64 * 1024;

const BASE64ENCODE_OPEN = "${base64encode(";
const BASE64ENCODE_CLOSE = ")}";

/**
 * The cloud-config text inside `${base64encode("...")}` (how the stack writes custom_data), with
 * Terraform references kept as written; undefined for anything else. The quoted argument is a
 * Terraform string literal, whose escapes are JSON's.
 */
export function cloudConfigOf(customData: string): string | undefined {
  if (!customData.startsWith(BASE64ENCODE_OPEN) || !customData.endsWith(BASE64ENCODE_CLOSE)) return undefined;
  try {
    const text: unknown = JSON.parse(customData.slice(BASE64ENCODE_OPEN.length, -BASE64ENCODE_CLOSE.length));
    return typeof text === "string" ? text : undefined;
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
