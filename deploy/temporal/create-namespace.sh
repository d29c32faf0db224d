#!/bin/sh
# Registers the namespace restorepoint's worker polls, unless it exists. Workflow histories are
# kept for RETENTION after they close (the audit ledger, not Temporal, is the permanent record).
set -eu
: "${TEMPORAL_ADDRESS:?}" "${NAMESPACE:?}" "${RETENTION:=720h}"
until temporal operator cluster health --address "$TEMPORAL_ADDRESS"; do sleep 2; done
temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" >/dev/null 2>&1 \
  || temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" --retention "$RETENTION"
echo "namespace $NAMESPACE ready"
