#!/usr/bin/env bash
# Rebuild src/pouls/web/static/vendor/echarts-pouls.min.js from npm, in a scratch folder.
# Versions are exact: change them here and in static/vendor/README.md together.
set -euo pipefail
ECHARTS=6.1.0
ESBUILD=0.25.0
here="$(cd "$(dirname "$0")" && pwd)"
vendor="$here/../../src/pouls/web/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund "echarts@$ECHARTS" "esbuild@$ESBUILD" >/dev/null
cp "$here/entry.js" .
node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --legal-comments=none \
  --banner:js="/*! Apache ECharts $ECHARTS (parts used by pouls: scripts/echarts/entry.js); Apache-2.0, with ZRender (BSD-3-Clause): see echarts.LICENSE.txt, zrender.LICENSE.txt */" \
  --outfile="$vendor/echarts-pouls.min.js"
cp node_modules/echarts/i18n/langFR.js "$vendor/echarts-langFR.js"
cp node_modules/echarts/LICENSE "$vendor/echarts.LICENSE.txt"
cp node_modules/echarts/NOTICE "$vendor/echarts.NOTICE.txt"
cp node_modules/echarts/licenses/LICENSE-d3 "$vendor/echarts.LICENSE-d3.txt"
cp node_modules/zrender/LICENSE "$vendor/zrender.LICENSE.txt"
ls -l "$vendor/echarts-pouls.min.js"
