#!/bin/sh
# Creates the service's namespace and registers the search attributes its workflows are started
# with (src/contracts/search-attributes.ts; test/unit/temporal-cluster-config.test.ts keeps the two
# lists equal). One `search-attribute create` per attribute: given several --name, the command
# takes one --type for all of them, and a list that goes wrong part-way is hard to read back.
# A namespace just created takes a few seconds to reach every frontend: each step is retried.
# Safe to run again (an attribute that exists already is reported and kept).
# Used by docker-compose.yml (temporal-setup) and the test suite's cluster (test/support/temporal-cluster.ts).
#   TEMPORAL_CLI (temporal), TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, NAMESPACE_RETENTION
set -eu
: "${TEMPORAL_CLI:=temporal}"
: "${TEMPORAL_NAMESPACE:=default}"
: "${NAMESPACE_RETENTION:=720h}"
SEARCH_ATTRIBUTES="StripeEventType FulfillmentSource StripeCustomerId StripeSubscriptionId StripePaymentIntentId SumoCampaignId FulfillmentStatus CustomerEmailHash"

retry() {
  tries=0
  until "$@"; do
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || return 1
    sleep 1
  done
}
cli() { "$TEMPORAL_CLI" "$@" --address "$TEMPORAL_ADDRESS"; }

retry cli operator cluster health >/dev/null 2>&1
cli operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1 ||
  cli operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention "$NAMESPACE_RETENTION"
for name in $SEARCH_ATTRIBUTES; do
  retry cli operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" --name "$name" --type Keyword
done
cli operator search-attribute list --namespace "$TEMPORAL_NAMESPACE"
