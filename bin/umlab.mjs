#!/usr/bin/env node
// The `umlab` command: runs the TypeScript command line through tsx (no build step).
import { register } from "tsx/esm/api";

// Colour only for a terminal. picocolors also colours whenever CI is set, which would put escape
// codes into piped output and logs; FORCE_COLOR still asks for colour anywhere.
if (!process.stdout.isTTY && !("FORCE_COLOR" in process.env)) process.env.NO_COLOR = "1";

register();
await import("../lab/cli/main.ts");
