#!/usr/bin/env bash
# Regenerates proto/gen/ from the .proto files under proto/ogpu with ts-proto, and
# proto/gen/descriptors.binpb (a FileDescriptorSet) for gRPC server reflection.
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
# Descriptors of every service ogpud serves over gRPC (ours and the Cosmos ones under cosmos/,
# tendermint/) with their imports: what server reflection answers (server/grpc.ts).
protoc --include_imports --descriptor_set_out=gen/descriptors.binpb \
  -I . $(find ogpu cosmos tendermint -name '*.proto' | sort)
echo "generated: $(find gen -name '*.ts' | sort | tr '\n' ' ') gen/descriptors.binpb"
