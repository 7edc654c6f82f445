import { xml } from "./svg.js";

/** Styles every umlab page shares (graph pages and the report). */
export const PAGE_CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2733;margin:24px;max-width:1500px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #dde3ea;padding-bottom:4px}
.sub{color:#5b6775;margin:0 0 16px}
.figure{overflow-x:auto;border:1px solid #e3e8ee;border-radius:8px;padding:8px;background:#fff}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #dde3ea;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f6f9}code,.mono{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px}
`;

/** A self-contained HTML page: inline styles, no script or asset fetched from anywhere. */
export function htmlPage(title: string, body: string, css = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${xml(title)}</title>
<style>${PAGE_CSS}${css}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
