// Sums vitest's JSON reports of every package into one `tests: N passed, M failed` line.
// Exits 1 when a test failed or when no test ran.
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";

let passed = 0;
let failed = 0;
let skipped = 0;
const perPackage = [];
const failures = [];
for (const group of ["packages", "apps"]) {
  const dirs = (await readdir(group, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory());
  // test-results.image.json: the entrypoint's image tests, a turbo task of their own.
  for (const [entry, results] of dirs.flatMap((e) => [
    [e, "test-results.json"],
    [e, "test-results.image.json"],
  ])) {
    const file = join(group, entry.name, results);
    let report;
    try {
      report = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      if (error.code === "ENOENT") continue;
      throw error;
    }
    passed += report.numPassedTests ?? 0;
    // A file that failed without a failed test in it (a hook or import error) counts as one failure.
    const brokenFiles = (report.testResults ?? []).filter(
      (file) => file.status === "failed" && !(file.assertionResults ?? []).some((t) => t.status === "failed"),
    ).length;
    failed += (report.numFailedTests ?? 0) + brokenFiles;
    for (const file of report.testResults ?? []) {
      const where = join(
        group,
        entry.name,
        relative(join(process.cwd(), group, entry.name), file.name ?? ""),
      );
      const failedTests = (file.assertionResults ?? []).filter((t) => t.status === "failed");
      for (const test of failedTests)
        failures.push({ where, title: test.fullName ?? test.title, messages: test.failureMessages ?? [] });
      if (file.status === "failed" && failedTests.length === 0)
        failures.push({ where, title: "(file)", messages: [file.message ?? ""] });
    }
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    perPackage.push(
      `${group}/${entry.name}${results === "test-results.json" ? "" : " (images)"}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`,
    );
  }
}
// CI logs are often seen only by their tail: repeat each failure's name and first lines here.
for (const { where, title, messages } of failures) {
  console.log(`FAILED ${where} > ${title}`);
  const lines = messages
    .join("\n")
    .split("\n")
    .filter((line) => line.trim() !== "");
  for (const line of lines.slice(0, 8)) console.log(`    ${line}`);
}
for (const line of perPackage) console.log(`  ${line}`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
