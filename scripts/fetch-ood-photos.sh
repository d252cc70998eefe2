#!/usr/bin/env bash
# Fetches the out-of-distribution test photos of the default quality model: 34 photographs from three Debian
# wallpaper packages that share no source with the photo pool (gcompris-qt-data). Downloaded with apt-get download,
# unpacked with dpkg-deb, never installed. Licences (from each package's debian/copyright and metadata):
#   mate-backgrounds            nature/*.jpg             GPL-2+        (authors in the package's AUTHORS file)
#   plasma-workspace-wallpapers <name>/contents/images   LGPL-3 (Volna: CC-BY-SA-4.0); author per metadata.json
#   lomiri-wallpapers-16.04     *_by_<author>.jpg        CC-BY-4.0 / CC-BY-SA-4.0
# Only photographs are taken (renders, gradients and drawings left out by eye). The package's copyright files are
# copied beside the photos (DEST/copyright/) as provenance.
# Usage: bash scripts/fetch-ood-photos.sh [DEST]   (default .cache/ood-photos) -> DEST/photos/*
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$repo/.cache/ood-photos}"
mkdir -p "$dest"/{debs,x,photos,copyright}
dest="$(cd "$dest" && pwd)"
pkgs=(mate-backgrounds plasma-workspace-wallpapers lomiri-wallpapers-16.04)
for p in "${pkgs[@]}"; do
  if [ -z "$(ls "$dest"/debs/"${p}"_*.deb 2>/dev/null)" ]; then (cd "$dest/debs" && apt-get download "$p"); fi
  deb="$(ls "$dest"/debs/"${p}"_*.deb | head -n 1)"
  dpkg-deb -x "$deb" "$dest/x/$p"
  cp "$dest/x/$p/usr/share/doc/$p/copyright" "$dest/copyright/$p.copyright"
done
rm -f "$dest"/photos/*

mate="$dest/x/mate-backgrounds/usr/share/backgrounds/mate/nature"
for n in Aqua Blinds Dune FreshFlower Garden GreenMeadow LadyBird RainDrops Storm TwoWings Wood YellowFlower; do
  cp "$mate/$n.jpg" "$dest/photos/mate_$n.jpg"
done

plasma="$dest/x/plasma-workspace-wallpapers/usr/share/wallpapers"
for n in BytheWater ColdRipple DarkestHour EveningGlow FallenLeaf OneStandsOut Path Volna summer_1am; do
  # the 2560x1600 JPEG where there is one (Volna ships only 5120x2880)
  f="$plasma/$n/contents/images/2560x1600.jpg"
  [ -f "$f" ] || f="$(ls -S "$plasma/$n"/contents/images/*.jpg | head -n 1)"
  cp "$f" "$dest/photos/plasma_$n.jpg"
  cp "$plasma/$n/metadata.json" "$dest/copyright/plasma_$n.metadata.json"
done

lomiri="$dest/x/lomiri-wallpapers-16.04/usr/share/backgrounds"
for n in Bridge_by_Sander_Klootwijk Dragonfly_by_Bolly Picture_0B_by_freespace Picture_1A_by_freespace Wine_by_Jakkub_Mede \
  aitzgorri_by_Aitzol_Berasategi free_by_Peter_Nerlich friends_by_Aitzol_Berasategi greentock_by_Peter_Nerlich \
  life_by_Aitzol_Berasategi picosdeeuropa_by_Aitzol_Berasategi seeding_by_Clements_Engelhardt sunset_by_Aitzol_Berasategi; do
  cp "$lomiri/$n.jpg" "$dest/photos/lomiri_$n.jpg"
done
echo "$(ls "$dest/photos" | wc -l) photos in $dest/photos"
