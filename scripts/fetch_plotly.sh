#!/usr/bin/env bash
# Re-fetch the vendored Plotly bundle (quizapp/static/vendor/plotly/) from the npm registry at
# the pinned version, check it against the registry's published integrity, and copy the
# minified bundle and its licence. `make vendor-plotly` runs it.
#
# The bundle is plotly.js's *cartesian* partial build: bar, scatter (with error bars), heatmap,
# histogram, box and pie - what the dashboards draw - at a third of the full build's size.
# To upgrade: change VERSION and INTEGRITY (`npm view plotly.js-cartesian-dist-min@X.Y.Z
# dist.integrity`), run this script, look at the dashboards, commit the three files.
set -euo pipefail

PACKAGE=plotly.js-cartesian-dist-min
VERSION=4.1.1
INTEGRITY='sha512-o8GrFeusncwBIxbBynRJpY4pkgVB6caM+JLpwrLYbbsO7dZ8FJ+SVN2Fr+L7kiG/Z6w4P5O0Jus/Qr5EefHVeg=='

cd "$(dirname "$0")/.."
DEST=quizapp/static/vendor/plotly
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
TARBALL="$WORK/$PACKAGE-$VERSION.tgz"
GOT="sha512-$(openssl dgst -sha512 -binary "$TARBALL" | base64 -w0)"
if [ "$GOT" != "$INTEGRITY" ]; then
  echo "integrity mismatch for $PACKAGE@$VERSION: got $GOT" >&2
  exit 1
fi
tar -xzf "$TARBALL" -C "$WORK"
mkdir -p "$DEST"
cp "$WORK/package/plotly-cartesian.min.js" "$DEST/plotly-cartesian.min.js"
cp "$WORK/package/LICENSE" "$DEST/LICENSE"
printf '%s@%s %s\n' "$PACKAGE" "$VERSION" "$INTEGRITY" > "$DEST/VERSION"
echo "$DEST: $PACKAGE@$VERSION ($(wc -c < "$DEST/plotly-cartesian.min.js") bytes)"
