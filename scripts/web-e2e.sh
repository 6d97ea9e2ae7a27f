#!/usr/bin/env bash
# End-to-end test of the workbench (`caravan serve`) in a real browser:
# Debian's Chromium driven by playwright-core (web/e2e/workbench.test.mjs).
#
# Installs what it needs and is safe to run again: Chromium with apt-get when
# running as root (skipped if already there), the pinned npm packages of web/
# with `npm ci`. Also checks that the committed bundle web/dist is what the
# sources build to. Prints "web-e2e: SKIP: ..." and passes only when Chromium
# is missing and cannot be installed (not root, or no apt-get).
#
# Screenshots: tmp/e2e-artefacts/ (git-ignored), or $E2E_ARTEFACTS.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

skip() {
	echo "web-e2e: SKIP: $*"
	exit 0
}

chromium_bin() {
	for c in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
		if [ -n "$c" ] && [ -x "$c" ]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

# headless_ok starts the browser once, headless, on an empty page.
headless_ok() {
	local profile
	profile=$(mktemp -d)
	timeout 60 "$1" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --dump-dom about:blank >/dev/null 2>&1
	local rc=$?
	rm -rf "$profile"
	return $rc
}

apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	# Bounded: a mirror that hangs must not hang CI.
	timeout 600 apt-get update -qq || timeout 600 apt-get update -qq
	timeout 900 apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! chrome=$(chromium_bin); then
	if [ "$(id -u)" != 0 ]; then
		skip "Chromium is not installed and this is not root (apt-get install chromium)"
	fi
	if ! command -v apt-get >/dev/null 2>&1; then
		skip "Chromium is not installed and there is no apt-get"
	fi
	echo "web-e2e: installing Debian's chromium"
	apt_install chromium fonts-liberation fonts-dejavu-core ca-certificates
	chrome=$(chromium_bin) || { echo "web-e2e: chromium did not install" >&2; exit 1; }
	# Without its recommended packages it should still render headless;
	# if it cannot, install those too.
	if ! headless_ok "$chrome"; then
		echo "web-e2e: chromium does not start headless; adding its recommended packages"
		timeout 900 apt-get install -y -qq chromium >/dev/null
	fi
fi
echo "web-e2e: $("$chrome" --version 2>/dev/null || echo "$chrome")"
headless_ok "$chrome" || { echo "web-e2e: $chrome does not start headless" >&2; exit 1; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "web-e2e: installing Debian's nodejs and npm"
		apt_install nodejs npm
	else
		echo "web-e2e: node and npm are needed (the machine image has them)" >&2
		exit 1
	fi
fi

# The pinned toolchain and test driver (package-lock.json).
(cd web && timeout 600 npm ci --no-audit --no-fund --loglevel=error)

# The committed bundle must be what the sources build to.
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
(cd web && node build.mjs --outdir "$check/dist" >/dev/null)
if ! diff -r "$check/dist" web/dist >/dev/null; then
	diff -r "$check/dist" web/dist | head -20 >&2 || true
	echo "web-e2e: web/dist is not what web/src builds to: run 'npm run build' in web/ and commit web/dist" >&2
	exit 1
fi

go build -o "$check/caravan" ./cmd/caravan
export CARAVAN_BIN="$check/caravan" CHROMIUM="$chrome"
export E2E_ARTEFACTS="${E2E_ARTEFACTS:-$repo/tmp/e2e-artefacts}"
timeout 900 node --test --test-reporter=spec web/e2e/
