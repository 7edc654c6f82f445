import { twinRunTests } from "./twin-run.js";

twinRunTests("on-premises", 40);
