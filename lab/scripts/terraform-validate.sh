#!/usr/bin/env bash
# Opt-in check (not part of npm test): synthesizes each mode and runs `terraform validate` on it.
# Needs terraform and the azurerm provider 4.55.0, i.e. a machine that can download providers or
# has them in a plugin cache. Usage: bash lab/scripts/terraform-validate.sh [mode ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v terraform >/dev/null || { echo "terraform is not installed" >&2; exit 1; }
modes=("$@"); [ ${#modes[@]} -gt 0 ] || modes=(on-premises cross-premises mixed)
for mode in "${modes[@]}"; do
  echo "== $mode"
  UMLAB_MODE="$mode" npx tsx stacks/main.ts
  (cd cdktf.out/stacks/lab && terraform init -backend=false -input=false >/dev/null && terraform validate)
done
