#!/bin/sh
# Installs Debian's headless-capable Chromium for the report's browser test, and the
# DejaVu fonts that plot text needs. Safe to run again: it installs only what is
# missing. Run as root, or as a user who may use sudo.
set -eu

need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need="$need fonts-dejavu-core"

if [ -z "$need" ]; then
    echo "install-chromium: chromium and fonts-dejavu-core are already installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "install-chromium: must run as root or with sudo to install:$need" >&2
    exit 1
fi

echo "install-chromium: installing$need"
$sudo apt-get update -q
# shellcheck disable=SC2086 # $need is a space-separated list of package names.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $need
chromium --version
