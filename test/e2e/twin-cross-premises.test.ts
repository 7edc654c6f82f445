import { twinRunTests } from "./twin-run.js";

twinRunTests("cross-premises", 41);
