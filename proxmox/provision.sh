#!/usr/bin/env bash
# Creates one Debian LXC container per Cameramonit service on a Proxmox VE node and installs it.
# Run on the Proxmox node as root:  ./provision.sh [--dry-run]
# Reads hosts.env (addresses; HOSTS_FILE= another) and ../.env (secrets, see .env.example; ENV_FILE=
# another). --dry-run prints what it would do and each container's settings. Idempotent: existing
# containers are kept and only re-provisioned.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=hosts.env
source "${HOSTS_FILE:-$here/hosts.env}"
dry=false
[ "${1:-}" = "--dry-run" ] && dry=true
# a dry run prints each command, with the secrets of .env hidden
run() {
  if $dry; then
    local line="$*" secret
    for secret in "${MARIADB_PASSWORD:-}" "${JWT_SECRET:-}" "${SECRETS_KEY:-}" "${CAMERAMONIT_ADMIN_PASSWORD:-}"; do
      [ -n "$secret" ] && line=${line//"$secret"/***}
    done
    printf '+ %s\n' "$line"
  else
    "$@"
  fi
}

env_file=${ENV_FILE:-$here/../.env}
[ -f "$env_file" ] || { echo "Create $env_file from .env.example first (JWT_SECRET, SECRETS_KEY, MARIADB_PASSWORD, ...)" >&2; exit 1; }
# shellcheck disable=SC1091
set -a; source "$env_file"; set +a
: "${MARIADB_PASSWORD:?set MARIADB_PASSWORD in .env}" "${JWT_SECRET:?}" "${SECRETS_KEY:?}"

ip_of() { local name=$1 pair; for pair in $HOSTS; do [ "${pair%%=*}" = "$name" ] && { echo "$SUBNET_PREFIX.${pair#*=}"; return; }; done; echo "unknown host $name" >&2; exit 1; }

common_env() {
  cat <<ENV
DATABASE_URL=mysql://cameramonit:$MARIADB_PASSWORD@$(ip_of mariadb):3306/cameramonit
MQTT_URL=mqtt://$(ip_of mosquitto):1883
STORAGE_URL=http://$(ip_of storage):3006
RECORDER_URL=http://$(ip_of recorder):3004
PUBLIC_URL=${PUBLIC_URL:-http://$(ip_of chat):3000}
JWT_SECRET=$JWT_SECRET
SECRETS_KEY=$SECRETS_KEY
CAMERAMONIT_ADMIN_EMAIL=${CAMERAMONIT_ADMIN_EMAIL:-admin@cameramonit.local}
CAMERAMONIT_ADMIN_PASSWORD=${CAMERAMONIT_ADMIN_PASSWORD:-}
SMTP_URL=${SMTP_URL:-}
BIND_HOST=0.0.0.0
DATA_DIR=/var/lib/cameramonit
ENV
}

ctid=$FIRST_CTID
for pair in $HOSTS; do
  name=${pair%%=*}
  ip=$(ip_of "$name")
  if ! pct status "$ctid" >/dev/null 2>&1 || $dry; then
    run pct create "$ctid" "$TEMPLATE" --hostname "cm-$name" --cores 2 --memory 2048 --rootfs "$STORAGE_POOL:16" \
      --net0 "name=eth0,bridge=$BRIDGE,ip=$ip/24,gw=$GATEWAY" --unprivileged 1 --onboot 1
    run pct start "$ctid"
  fi
  case $name in
    mariadb)
      run pct exec "$ctid" -- bash -c "apt-get update -qq && apt-get install -y -qq mariadb-server && sed -i 's/^bind-address.*/bind-address = 0.0.0.0/' /etc/mysql/mariadb.conf.d/50-server.cnf && systemctl restart mariadb"
      run pct exec "$ctid" -- mariadb -e "CREATE DATABASE IF NOT EXISTS cameramonit CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; CREATE USER IF NOT EXISTS 'cameramonit'@'%' IDENTIFIED BY '$MARIADB_PASSWORD'; GRANT ALL ON cameramonit.* TO 'cameramonit'@'%';"
      run pct exec "$ctid" -- mariadb < "$here/mariadb-init.sql"
      ;;
    mosquitto)
      run pct exec "$ctid" -- bash -c "apt-get update -qq && apt-get install -y -qq mosquitto"
      run pct push "$ctid" "$here/mosquitto.conf" /etc/mosquitto/conf.d/cameramonit.conf
      run pct exec "$ctid" -- bash -c "sed -i 's#/mosquitto/data/#/var/lib/mosquitto/#' /etc/mosquitto/conf.d/cameramonit.conf && systemctl restart mosquitto"
      ;;
    *)
      run pct exec "$ctid" -- bash -c "apt-get update -qq && apt-get install -y -qq nodejs npm ffmpeg git python3 make g++"
      run pct exec "$ctid" -- bash -c "mkdir -p /opt/cameramonit /etc/cameramonit /var/lib/cameramonit"
      run pct push "$ctid" "$here/cameramonit.tar.gz" /opt/cameramonit.tar.gz
      run pct exec "$ctid" -- bash -c "tar -xzf /opt/cameramonit.tar.gz -C /opt/cameramonit && cd /opt/cameramonit && npm ci --no-audit --no-fund && npm run build"
      tmp=$(mktemp); common_env > "$tmp"
      case $name in
        # another recorder (recorder-<id>=N in HOSTS): a machine a webcam is plugged into
        recorder-*) printf 'APP=recorder\nRECORDER_ID=%s\nRECORDER_PUBLIC_URL=http://%s:3004\n' "${name#recorder-}" "$ip" >> "$tmp" ;;
        *) echo "APP=$name" >> "$tmp" ;;
      esac
      # a dry run shows what each container's settings would be, secrets hidden
      if $dry; then sed -E 's/^([A-Z_]*(PASSWORD|SECRET|KEY)=).+/\1***/; s#(mysql://[^:]+:)[^@]+@#\1***@#; s/^/  /' "$tmp"; fi
      run pct push "$ctid" "$tmp" /etc/cameramonit/env --perms 600; rm -f "$tmp"
      run pct push "$ctid" "$here/cameramonit@.service" /etc/systemd/system/cameramonit@.service
      case $name in
        # the node's webcam, handed to the container (Proxmox VE 8.1 or later)
        recorder-*) run pct set "$ctid" --dev0 /dev/video0 && run pct exec "$ctid" -- systemctl enable --now cameramonit@recorder ;;
        *) run pct exec "$ctid" -- systemctl enable --now "cameramonit@$name" ;;
      esac
      ;;
  esac
  ctid=$((ctid + 1))
done
echo "Done. Chat: http://$(ip_of chat):3000"
