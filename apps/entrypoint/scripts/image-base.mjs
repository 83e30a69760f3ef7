// Makes the image tests' base image and prints its tag: a Debian root filesystem made from the mirror the way
// Debian's images are (suite trixie, variant minbase: essential and required packages and apt; without their
// docker-clean apt hook), imported into podman's store as localhost/sagemaker-serve-test-base:trixie-minbase-
// YYYYMMDD. Made once per suite and (UTC) day on a machine; older days' bases are removed.
//
// test/image/ runs it before building the example images. Turbo also runs it with --if-possible as the task
// test:image:base, which has no dependencies, so a cold base is made while the packages still build; then it only
// warns when it cannot (no podman here, or SAGEMAKER_SERVE_SKIP_IMAGE_TESTS=1) and leaves the error to the test.
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import console from "node:console";
import { promisify } from "node:util";

const run = promisify(execFile);
const SUITE = "trixie";
const VARIANT = "minbase";
const REPOSITORY = "localhost/sagemaker-serve-test-base";
const ifPossible = process.argv.includes("--if-possible");

async function must(command, args) {
  try {
    return (await run(command, args, { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
  } catch (error) {
    const detail =
      error.code === "ENOENT" ? `${command}: not found on PATH` : (error.stderr ?? error.message).trim();
    throw new Error(`\`${[command, ...args].join(" ")}\` failed: ${detail}`, { cause: error });
  }
}

async function ensureBase() {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, "");
  const tag = `${REPOSITORY}:${SUITE}-${VARIANT}-${day}`;
  const exists = await run("podman", ["image", "exists", tag]).then(
    () => true,
    () => false,
  );
  if (exists) return tag;
  const tarball = join(tmpdir(), `sagemaker-serve-test-base-${process.pid}.tar`);
  try {
    await must("mmdebstrap", ["--quiet", `--variant=${VARIANT}`, SUITE, tarball]);
    await must("podman", ["import", "--quiet", tarball, tag]);
  } finally {
    await rm(tarball, { force: true });
  }
  const older = (await must("podman", ["images", "--format", "{{.Repository}}:{{.Tag}}", REPOSITORY]))
    .split("\n")
    .filter((name) => name !== "" && name !== tag);
  if (older.length > 0) await run("podman", ["rmi", ...older]).catch(() => undefined);
  return tag;
}

if (ifPossible && process.env.SAGEMAKER_SERVE_SKIP_IMAGE_TESTS === "1") {
  console.log("image-base: SAGEMAKER_SERVE_SKIP_IMAGE_TESTS=1, nothing to do");
} else {
  try {
    console.log(await ensureBase());
  } catch (error) {
    if (!ifPossible) throw error;
    console.warn(`image-base: no base image made now, the image test will say why: ${error.message}`);
  }
}
