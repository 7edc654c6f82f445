import { twinRunTests } from "./twin-run.js";

twinRunTests("mixed", 42);
