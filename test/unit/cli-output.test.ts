import { describe, expect, it } from "vitest";
import { escapeControls } from "../../lab/cli/commands/mailbox.js";

describe("umlab mailbox shows caller IDs with control characters escaped (issue 8)", () => {
  it.each([
    ['"Eve \u001b[2J\u001b[31mBoss" <1001>', '"Eve \\x1b[2J\\x1b[31mBoss" <1001>'],
    ["bell\u0007 and DEL\u007f and CSI\u009b", "bell\\x07 and DEL\\x7f and CSI\\x9b"],
    ["line\r\nbreak", "line\\x0d\\x0abreak"],
    ["right-to-left \u202eoverride", "right-to-left \\u202eoverride"],
    ["a \\ backslash", "a \\\\ backslash"],
    ['"Alice" <1001>', '"Alice" <1001>'],
  ])("%j -> %j", (raw, shown) => {
    expect(escapeControls(raw)).toBe(shown);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    expect(escapeControls(raw)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });
});
