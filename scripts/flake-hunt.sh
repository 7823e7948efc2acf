#!/usr/bin/env bash
# Runs the unit and e2e projects N times and counts the failures of each test, so a test that
# passes only sometimes shows up before it blocks a landing at random.
#   scripts/flake-hunt.sh 10            # both projects, 10 rounds
#   scripts/flake-hunt.sh 5 unit        # one project
# Needs a display for the e2e project (scripts/test.sh starts one; e2e files start their own Xvfb).
# Writes test-results/flake-hunt/round-K-<project>.json and prints a table; exits 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
shift || true
projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=(unit e2e)
out=test-results/flake-hunt
rm -rf "$out" && mkdir -p "$out"
for round in $(seq 1 "$rounds"); do
  for project in "${projects[@]}"; do
    started=$(date +%s)
    npx vitest run --project "$project" --reporter=json --outputFile="$out/round-$round-$project.json" >"$out/round-$round-$project.log" 2>&1 || true
    echo "round $round/$rounds $project: $(( $(date +%s) - started )) s"
  done
done
node - "$out" "$rounds" <<'JS'
const fs = require('node:fs');
const path = require('node:path');
const [dir, rounds] = process.argv.slice(2);
const counts = new Map();
let missing = 0;
for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.json'))) {
  let report;
  try { report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')); } catch { missing += 1; continue; }
  for (const suite of report.testResults ?? []) {
    // A file that failed to load has no assertion results: count it under the file's name.
    if ((suite.assertionResults ?? []).length === 0 && suite.status === 'failed') {
      const key = path.relative(process.cwd(), suite.name) + ' (file)';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const test of suite.assertionResults ?? []) {
      const key = `${path.relative(process.cwd(), suite.name)} > ${test.fullName}`;
      if (!counts.has(key)) counts.set(key, 0);
      if (test.status === 'failed') counts.set(key, counts.get(key) + 1);
    }
  }
}
const failing = [...counts].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
console.log(`\n${counts.size} tests, ${rounds} rounds; runs without a readable report: ${missing}`);
console.log('| test | failures |\n| --- | --- |');
for (const [name, n] of failing) console.log(`| ${name} | ${n}/${rounds} |`);
if (failing.length === 0) console.log(`| (none) | 0/${rounds} |`);
process.exit(failing.length > 0 || missing > 0 ? 1 : 0);
JS
