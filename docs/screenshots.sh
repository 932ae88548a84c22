#!/usr/bin/env bash
# Redraws the README's screenshots from the running app, so they never go stale: builds the
# release binary, runs the one browser scenario that draws them
# (browser-tests/scenarios/17-readme-screenshots.test.mjs, which also runs in CI) and copies
# its shots here, compressed with pngquant (installed with apt-get when missing).
#
#   docs/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BROWSER_NO_BUILD=1 BROWSER_ONLY=17-readme npm run --silent test:browser
if ! command -v pngquant >/dev/null; then
  apt-get install -y -q pngquant >/dev/null
fi
for name in dashboard-light-1280 dashboard-dark-1280 phone-375 account-1280; do
  pngquant --force --skip-if-larger --quality 65-90 --strip \
    --output "docs/$name.png" "screenshots/readme-$name.png" ||
    cp "screenshots/readme-$name.png" "docs/$name.png"
done
ls -l docs/*.png
