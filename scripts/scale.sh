#!/usr/bin/env bash
# How ekslint's time grows with the size of one odd input: each shape below is generated at n and
# at 4n, linted (JSON to /dev/null, and the human report where it differs), and the ratio of the
# two times printed. Linear work gives about 4x; a ratio above 6x is flagged (a quadratic path:
# 16x). Each shape stood for one such path once (fixed): a finding's place in a huge mapping, many
# suppression comments, one directive of many ids, mounts x volumes, registries x images, the
# report batches holding every finding.
#
# Usage: scripts/scale.sh [--n N] [--bin PATH]
#   --n N       the smaller size (default 2500: at 4n a shape makes up to 10,000 findings, the most
#               one file may have before its linting stops)
#   --bin PATH  the ekslint to measure (default: target/release/ekslint, built if missing)
# Needs python3 and GNU time (/usr/bin/time). Exits 1 if a shape is flagged (a ratio above 6x
# once the larger run takes 0.1 s or more).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
n=2500
bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --n) n=$2; shift ;;
    --bin) bin=$2; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "scale.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$bin" ]; then
  bin=$repo/target/release/ekslint
  [ -x "$bin" ] || (cd "$repo" && cargo build --release --locked)
fi
if [ ! -x /usr/bin/time ]; then
  echo "scale.sh: GNU time (/usr/bin/time) is needed: apt-get install -y time" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# gen SHAPE N FILE: writes the shape at size N.
gen() {
  python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
shape, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n'
pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n'
if shape == 'unquoted-values':            # n findings in one mapping
    text = cm + ''.join(f'  k{i}: yes\n' for i in range(n))
elif shape == 'duplicate-keys':
    text = cm + '  k: "v"\n' * n
elif shape == 'disable-line':             # n suppression comments
    text = cm + ''.join(f'  k{i}: yes # ekslint-disable-line EKS003 -- legacy\n' for i in range(n))
elif shape == 'disable-file':
    text = '# ekslint-disable-file EKS401\n' * n + 'a: 1\n'
elif shape == 'one-directive-many-ids':
    text = '# ekslint-disable-file ' + ','.join(f'X{i}' for i in range(n)) + '\na: 1\n'
elif shape == 'mounts-and-volumes':
    text = (pod + 'spec:\n  containers:\n  - name: c\n    image: nginx\n    volumeMounts:\n'
            + ''.join(f'    - name: v{i}\n      mountPath: /m{i}\n' for i in range(n))
            + '  volumes:\n' + ''.join(f'  - name: v{i}\n    emptyDir: {{}}\n' for i in range(n)))
elif shape == 'mounts-of-claim-templates':   # the second `in` path of EKS007
    text = ('apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  template:\n'
            '    spec:\n      containers:\n      - name: c\n        image: nginx\n        volumeMounts:\n'
            + ''.join(f'        - name: v{i}\n          mountPath: /m{i}\n' for i in range(n))
            + '      volumes: [{name: x, emptyDir: {}}]\n  volumeClaimTemplates:\n'
            + ''.join(f'  - metadata: {{name: v{i}}}\n' for i in range(n)))
elif shape == 'registries-and-images':
    m = n // 4
    text = (pod + '  annotations:\n    eks.tke.cloud.tencent.com/registry-http-endpoint: "'
            + ','.join(f'r{i}.example.com:5000' for i in range(m)) + '"\nspec:\n  containers:\n'
            + ''.join(f'  - name: c{i}\n    image: q{i}.example.com:5000/x\n' for i in range(m)))
elif shape == 'eip-list':
    text = ('apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  replicas: %d\n'
            '  template:\n    metadata:\n      annotations:\n        eks.tke.cloud.tencent.com/eip-id-list: "%s"\n'
            '    spec:\n      containers: [{name: c, image: nginx}]\n'
            % (n + 1, ','.join(f'eip-{i:08x}' for i in range(n))))
elif shape == 'documents':
    text = '---\n'.join(
        f'apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}}}\nspec:\n  template:\n'
        f'    spec:\n      containers: [{{name: c, image: "img:1", ports: [{{containerPort: 9100}}]}}]\n'
        for i in range(n // 4))
elif shape == 'minified-json':            # many findings on one line
    text = json.dumps({'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'p'},
                       'spec': {'containers': [{'name': f'c{i}', 'image': 'nginx',
                                                'ports': [{'containerPort': 9100}]}
                                               for i in range(n // 4)]}})
else:
    sys.exit(f'unknown shape {shape}')
open(path, 'w').write(text)
EOF
}

# run FILE ARGS...: "seconds peak-KB" of one run.
run() {
  local file=$1; shift
  /usr/bin/time -f '%e %M' -o "$work/time" "$bin" "$@" "$file" >/dev/null 2>&1 || true
  tail -1 "$work/time"
}

flagged=0
printf '%-24s %-6s %8s %8s %7s %10s\n' shape format "n (s)" "4n (s)" ratio "peak 4n"
for shape in unquoted-values duplicate-keys disable-line disable-file one-directive-many-ids \
             mounts-and-volumes mounts-of-claim-templates registries-and-images eip-list documents \
             minified-json; do
  ext=yaml
  [ "$shape" = minified-json ] && ext=json
  gen "$shape" "$n" "$work/small.$ext"
  gen "$shape" $((n * 4)) "$work/big.$ext"
  formats="json"
  [ "$shape" = minified-json ] || [ "$shape" = documents ] && formats="json human"
  for format in $formats; do
    args=(--format "$format")
    [ "$format" = human ] && args=(--color never)
    read -r t1 _ <<<"$(run "$work/small.$ext" "${args[@]}")"
    read -r t4 m4 <<<"$(run "$work/big.$ext" "${args[@]}")"
    ratio=$(python3 -c "print(f'{max($t4, 0.01) / max($t1, 0.01):.1f}')")
    mark=""
    if python3 -c "import sys; sys.exit(0 if $t4 >= 0.1 and $t4 / max($t1, 0.01) > 6 else 1)"; then
      mark="  <- superlinear"
      flagged=1
    fi
    printf '%-24s %-6s %8s %8s %6sx %7s MB%s\n' "$shape" "$format" "$t1" "$t4" "$ratio" $((m4 / 1024)) "$mark"
  done
done
exit $flagged
