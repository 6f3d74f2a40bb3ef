#!/usr/bin/env bash
# Proves the `.pre-commit-hooks.yaml` hook works with the real pre-commit tool: installs pre-commit
# from PyPI into a virtualenv, then uses this repository (at its committed HEAD) as a hook repo in
# a throwaway git repository: a manifest with a finding must fail the check, a clean one must pass.
# .ci/run calls it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache"
# pre-commit builds the hook with `cargo install`: an unoptimized build is enough to prove the hook
# (it lints two small files) and builds in about half the time of an optimized one.
export CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=0 \
  CARGO_PROFILE_RELEASE_OPT_LEVEL=0

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
pre_commit="$work/venv/bin/pre-commit"

mkdir "$work/demo" && cd "$work/demo"
git init -q .
git config user.email ci@example.invalid
git config user.name ci
mkdir k8s
cat > k8s/exporter.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: exporter
spec:
  containers:
  - name: exporter
    image: prom/node-exporter
    terminationMessagePolicy: FallbackToLogsOnError
    resources: {requests: {cpu: "1", memory: 2Gi}}
    ports:
    - containerPort: 9100
YAML
printf '/data/ 10.0.0.0/16(rw)\n' > k8s/nfs.exports
cat > .pre-commit-config.yaml <<YAML
repos:
- repo: $repo
  rev: $(git -C "$repo" rev-parse HEAD)
  hooks:
  - id: ekslint
YAML
git add -A

echo "== a manifest with findings must fail the hook"
set +e
"$pre_commit" run --all-files > "$work/out.txt" 2>&1
code=$?
set -e
cat "$work/out.txt"
if [ "$code" -eq 0 ]; then echo "FAIL: the hook passed on a manifest with findings"; exit 1; fi
grep -q "EKS301" "$work/out.txt" || { echo "FAIL: no EKS301 in the hook output"; exit 1; }
grep -q "EKS502" "$work/out.txt" || { echo "FAIL: the exports file was not linted"; exit 1; }

echo "== a clean manifest must pass"
sed -i 's/containerPort: 9100/containerPort: 8080/' k8s/exporter.yaml
printf '/data/ 10.0.0.0/16(rw,insecure)\n' > k8s/nfs.exports
git add -A
"$pre_commit" run --all-files
echo "pre-commit: 2 passed, 0 failed"
