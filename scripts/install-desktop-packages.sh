#!/usr/bin/env bash
# The Debian packages of the virtual desktop the end-to-end tests drive (and Chromium for the
# renderer and page tests). Skips what is already installed.
set -euo pipefail
packages=(xvfb xauth xdotool x11-utils x11-xserver-utils x11-apps xterm zenity scrot imagemagick
  fonts-dejavu-core libxtst6 chromium xclip xinput locales libxml2-utils ffmpeg)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing Debian packages: ${missing[*]}"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
