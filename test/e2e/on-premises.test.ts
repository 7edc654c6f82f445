import { describe } from "vitest";
import { modeCallTests } from "./calls.js";
import { useLab } from "./fixture.js";

describe("on-premises lab: real calls", () => {
  const lab = useLab("on-premises");
  modeCallTests("on-premises", lab);
});
