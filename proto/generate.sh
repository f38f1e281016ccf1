#!/usr/bin/env bash
# Regenerates proto/gen/ from the .proto files under proto/ogpu with ts-proto.
# Needs protoc (Debian: apt-get install protobuf-compiler). The output is committed, so
# building and testing never need protoc; never edit proto/gen by hand.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf gen && mkdir -p gen
protoc \
  --plugin=protoc-gen-ts_proto=../node_modules/.bin/protoc-gen-ts_proto \
  --ts_proto_out=gen \
  --ts_proto_opt=esModuleInterop=true,forceLong=bigint,importSuffix=.js,outputServices=false,useExactTypes=false,snakeToCamel=true,outputJsonMethods=false,useOptionals=none \
  -I . $(find ogpu -name '*.proto' | sort)
echo "generated: $(find gen -name '*.ts' | sort | tr '\n' ' ')"
