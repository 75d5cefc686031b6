#!/usr/bin/env node
/**
 * Adds up the JSON reports every vitest run left (one per workspace) into the one closing
 * line CI reads: `N passed, N failed, N skipped`. A workspace whose tests ran but left no
 * report counts as failed, so a crash can never read as success. Each failed test is named
 * with the first line of its error, so the tail of a CI log says what broke.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = ['packages', 'apps', 'tooling', 'examples'].flatMap((dir) =>
  existsSync(join(root, dir)) ? readdirSync(join(root, dir)).map((name) => join(root, dir, name)) : [],
);
roots.push(join(root, 'bench'), join(root, 'docs'));

let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];
const failures = [];
for (const dir of roots) {
  const pkgFile = join(dir, 'package.json');
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  if (!pkg.scripts?.test) continue;
  const reportFile = join(dir, '.vitest-report.json');
  if (!existsSync(reportFile)) {
    failed++;
    lines.push(`${pkg.name}: no test report (did its tests run?)`);
    continue;
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const p = report.numPassedTests ?? 0;
  const f = (report.numFailedTests ?? 0) + (report.success === false && !report.numFailedTests ? 1 : 0);
  const s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  passed += p;
  failed += f;
  skipped += s;
  lines.push(`${pkg.name}: ${p} passed, ${f} failed, ${s} skipped`);
  for (const file of report.testResults ?? []) {
    const where = `${pkg.name} ${file.name.slice(dir.length + 1)}`;
    const failedTests = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failedTests)
      failures.push(`FAILED ${where} > ${test.fullName}: ${firstLine(test.failureMessages)}`);
    // A suite that failed to load has no failed test to name, only its message.
    if (file.status === 'failed' && failedTests.length === 0)
      failures.push(`FAILED ${where}: ${firstLine([file.message])}`);
  }
}
console.log(lines.join('\n'));
if (failures.length > 0) console.log(failures.join('\n'));
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);

/** The error's first line, and where in the project's own code it was thrown. */
function firstLine(messages) {
  const text = String(messages?.find(Boolean) ?? 'no message');
  // vitest's JSON report has no message for a test timeout, only this placeholder.
  if (text.startsWith('Error: STACK_TRACE_ERROR')) return 'no message (a test timeout: see its log above)';
  const lines = text.split('\n');
  const first = lines.find((line) => line.trim() !== '')?.slice(0, 400) ?? text;
  const frame = lines.find(
    (line) => /^\s+at /.test(line) && line.includes(root) && !line.includes('node_modules'),
  );
  const at = frame
    ?.match(/([^\s(]+:\d+:\d+)\)?\s*$/)?.[1]
    ?.replace(`file://${root}`, '')
    .replace(root, '');
  return at === undefined ? first : `${first} (at ${at})`;
}
