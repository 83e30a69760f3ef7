#!/usr/bin/env bash
# Installs what building and testing need on a fresh machine: the pinned pnpm, and the Debian packages the
# tests use (tini, procps, util-linux, python3 with venv, openssl, zip/unzip, a Java runtime, prometheus for
# promtool and the metrics end-to-end test), the build uses (binutils: strip for the single executable) and the
# image tests use (podman, runc, mmdebstrap). Idempotent:
# it installs only what is missing. Debian packages are installed only when running as root.
set -euo pipefail

PNPM_VERSION=12.4.2

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  npm i -g --allow-scripts=pnpm "pnpm@$PNPM_VERSION" >/dev/null
fi

missing=()
command -v tini >/dev/null || missing+=(tini)
command -v ps >/dev/null || missing+=(procps)
command -v unshare >/dev/null || missing+=(util-linux)
command -v openssl >/dev/null || missing+=(openssl)
command -v unzip >/dev/null || missing+=(unzip)
command -v zip >/dev/null || missing+=(zip)
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v promtool >/dev/null || missing+=(prometheus)
command -v python3 >/dev/null || missing+=(python3 python3-pip)
command -v strip >/dev/null || missing+=(binutils)
command -v podman >/dev/null || missing+=(podman)
command -v runc >/dev/null || missing+=(runc)
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
if command -v python3 >/dev/null && ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing+=(python3-venv)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: missing ${missing[*]}; install them with apt-get (needs root)" >&2
  fi
fi
