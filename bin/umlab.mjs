#!/usr/bin/env node
// The `umlab` command: runs the TypeScript command line through tsx (no build step).
import { register } from "tsx/esm/api";

register();
await import("../lab/cli/main.ts");
