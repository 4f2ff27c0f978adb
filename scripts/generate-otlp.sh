#!/usr/bin/env bash
# Generates the Swift types of OTLP's trace export (ExportTraceServiceRequest/Response and what they hold) into
# Sources/LiftoffOTLP/Generated. Run once when the OTLP version changes; the output is committed, so neither
# the build nor CI needs protoc. The .proto files come from PyPI's opentelemetry-proto (which ships only the
# compiled _pb2 modules: their descriptors are written out as a FileDescriptorSet), compiled by protoc with
# protoc-gen-swift built from the swift-protobuf version the package uses.
# Needs: protoc (apt-get install protobuf-compiler), python3 with pip, git, swift.
set -euo pipefail
cd "$(dirname "$0")/.."
otlp_version=${OTLP_PROTO_VERSION:-1.45.2}      # opentelemetry-proto on PyPI
swift_protobuf=${SWIFT_PROTOBUF_VERSION:-1.39.0} # must match Package.swift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet "opentelemetry-proto==$otlp_version"
"$work/venv/bin/python" - "$work/otlp.pb" <<'PY'
import sys
from google.protobuf import descriptor_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

files, seen = descriptor_pb2.FileDescriptorSet(), set()
def add(descriptor):
    if descriptor.name in seen:
        return
    for dependency in descriptor.dependencies:
        add(dependency)
    seen.add(descriptor.name)
    proto = descriptor_pb2.FileDescriptorProto()
    descriptor.CopyToProto(proto)
    files.file.append(proto)
add(trace_service_pb2.DESCRIPTOR)
open(sys.argv[1], "wb").write(files.SerializeToString())
PY

source=${SWIFT_PROTOBUF_SOURCE:-https://github.com/apple/swift-protobuf.git}
git clone --quiet --depth 1 --branch "$swift_protobuf" "$source" "$work/swift-protobuf" 2>/dev/null
swift build -c release --package-path "$work/swift-protobuf" --product protoc-gen-swift > /dev/null

out=Sources/LiftoffOTLP/Generated
rm -f "$out"/*.pb.swift
protoc --plugin=protoc-gen-swift="$work/swift-protobuf/.build/release/protoc-gen-swift" \
  --descriptor_set_in="$work/otlp.pb" --swift_out="Visibility=Public,FileNaming=PathToUnderscores:$out" \
  opentelemetry/proto/common/v1/common.proto opentelemetry/proto/resource/v1/resource.proto \
  opentelemetry/proto/trace/v1/trace.proto opentelemetry/proto/collector/trace/v1/trace_service.proto
echo "generated: $(ls "$out")"
