#!/usr/bin/env bash
# Fetches the photo pool (~125 natural photos, CC0 / public domain / CC-BY / CC-BY-SA) from Debian's gcompris-qt-data
# package without installing it: the training and benchmark photos of this repo. Per-file credits stay in the
# package's own READMEs under DEST/x/.
# Usage: bash scripts/fetch-photo-pool.sh [DEST]   (default .cache/photo-pool) -> DEST/pool/*.webp
# The photos are lossy WebP with some upstream sharpening: downscale about 2x before using them as pristine references.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$repo/.cache/photo-pool}"
mkdir -p "$dest"/{debs,x,pool,rcc}
dest="$(cd "$dest" && pwd)"

if [ -z "$(ls "$dest"/debs/gcompris-qt-data_*.deb 2>/dev/null)" ]; then
  (cd "$dest/debs" && apt-get download gcompris-qt-data)
fi
deb="$(ls "$dest"/debs/gcompris-qt-data_*.deb | head -n 1)"
dpkg-deb -x "$deb" "$dest/x/gcompris-qt-data"

rcc="$dest/x/gcompris-qt-data/usr/share/gcompris-qt/rcc"
bundles=(erase explore_world_animals explore_farm_animals explore_monuments details clickgame explore_world_music)
args=()
for b in "${bundles[@]}"; do args+=("$rcc/$b.rcc"); done
(cd "$repo" && npx --no-install tsx scripts/photo-pool/unpack-rcc.ts "$dest/rcc" "${args[@]}" >/dev/null)

act() { echo "$dest/rcc/$1/gcompris/src/activities/$1/resource"; }
copy() { # copy PREFIX FILES...: each file into the pool as PREFIX_<name>
  local prefix=$1; shift
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$dest/pool/${prefix}_$(basename "$f")"; done
}
rm -f "$dest"/pool/*.webp
copy gc_erase "$(act erase)"/*.webp
copy gc_wanimal "$(act explore_world_animals)"/animals/*.webp
copy gc_farm "$(act explore_farm_animals)"/animals/*.webp
for f in "$(act explore_monuments)"/*/*.webp; do
  # cabrillo.webp is a drawing, not a photo
  [ "$(basename "$f")" = cabrillo.webp ] || copy gc_monument "$f"
done
for n in EgeskovSlotSpejling EilanDonanCastle GizahPyramids Neuschwanstein TajMahal; do
  cp "$(act details)/image/${n}_background.webp" "$dest/pool/gc_details_$n.webp"
done
copy gc_sea "$(act clickgame)"/sea*.webp
copy gc_music "$(act explore_world_music)"/*/*.webp
echo "$(ls "$dest/pool" | wc -l) photos in $dest/pool"
