import { describe } from "vitest";
import { modeCallTests } from "./calls.js";
import { useLab } from "./fixture.js";

describe("cross-premises lab: real calls", () => {
  const lab = useLab("cross-premises");
  modeCallTests("cross-premises", lab);
});
