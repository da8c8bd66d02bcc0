#!/usr/bin/env bash
# A Debian kernel for the webcam test's virtual machine (test/support/webcam-vm.ts): the machine
# boots it under qemu, loads Linux's virtual webcam driver (vivid) and runs a recorder against
# /dev/video0. Unpacked from Debian's linux-image package (nothing is installed on this machine)
# into .cache/vm-kernel/<version>/; prints that folder. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
package=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$package" ] || { echo "apt-cache knows no linux-image-amd64 (apt-get update first)" >&2; exit 1; }
version=${package#linux-image-}
dir=.cache/vm-kernel/$version
if [ ! -f "$dir/vmlinuz" ] || [ ! -d "$dir/lib/modules/$version" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # apt's sandbox user cannot write into a root-owned temporary folder
  chmod 777 "$work"
  (cd "$work" && apt-get download -qq "$package")
  dpkg-deb -x "$work"/"$package"_*.deb "$work/root"
  rm -rf "$dir" && mkdir -p "$dir/lib/modules"
  cp "$work/root/boot/vmlinuz-$version" "$dir/vmlinuz"
  # only what the machine loads (virtio, 9p, vivid and what they need): 40 MB instead of 400
  modules=$work/root/lib/modules/$version
  mkdir -p "$dir/lib/modules/$version/kernel/drivers"
  cp "$modules"/modules.order "$modules"/modules.builtin* "$dir/lib/modules/$version/"
  for part in drivers/media drivers/virtio drivers/net/virtio_net.ko drivers/net/net_failover.ko net/core net/9p fs/9p fs/netfs fs/fscache; do
    [ -e "$modules/kernel/$part" ] || continue
    mkdir -p "$dir/lib/modules/$version/kernel/$(dirname "$part")"
    cp -r "$modules/kernel/$part" "$dir/lib/modules/$version/kernel/$part"
  done
fi
echo "$PWD/$dir"
