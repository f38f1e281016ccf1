#!/usr/bin/env bash
# Installs the pinned kubo (IPFS) into <bin dir>/ipfs, skipped when that binary already is the
# pinned version. Usage: scripts/install-kubo.sh <bin dir> [version, default v0.43.1]
#
# Why not `go install github.com/ipfs/kubo/cmd/ipfs@v0.43.1`: kubo v0.43.1's go.mod replaces
# github.com/libp2p/go-libp2p with a fork (github.com/lidel/go-libp2p), so `go install` refuses it
# ("contains one or more replace directives"), and the fork is not on the Go module proxy. The
# fork only exists to use quic-go v0.62 / webtransport-go v0.13; the released go-libp2p v0.49.0
# builds against the versions it requires itself (quic-go v0.60.0, webtransport-go v0.11.1). So:
# download the module, drop the replace line, pin those two back, and build `./cmd/ipfs`.
set -euo pipefail
BIN=${1:?usage: install-kubo.sh <bin dir> [version]}
VERSION=${2:-v0.43.1}
TARGET="$BIN/ipfs"

if [ -x "$TARGET" ] && [ "$("$TARGET" version --number 2>/dev/null)" = "${VERSION#v}" ]; then
  echo "kubo $VERSION present"
  exit 0
fi
echo "installing kubo $VERSION into $BIN (a Go build: several minutes)"
WORK=$(mktemp -d)
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
MODDIR=$(cd "$WORK" && go mod download -json "github.com/ipfs/kubo@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -n "$MODDIR" ] || { echo "go mod download github.com/ipfs/kubo@$VERSION failed" >&2; exit 1; }
cp -r "$MODDIR" "$WORK/kubo"
chmod -R u+w "$WORK/kubo"
cd "$WORK/kubo"
sed -i '/^replace github.com\/libp2p\/go-libp2p /d' go.mod
go mod edit -require=github.com/quic-go/quic-go@v0.60.0 -require=github.com/quic-go/webtransport-go@v0.11.1
mkdir -p "$BIN"
GOFLAGS=-mod=mod go build -trimpath -o "$WORK/ipfs" ./cmd/ipfs
mv "$WORK/ipfs" "$TARGET"
echo "kubo $("$TARGET" version --number) installed at $TARGET"
