#!/usr/bin/env bash
# Publish the liaison web app (web/) to a deployed stack: write config.json from the stack's
# outputs (API URL, Cognito hosted UI and web client), sync to WebBucket, invalidate CloudFront.
#   scripts/deploy_web.sh infusion-intake-dev
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:?usage: scripts/deploy_web.sh STACK_NAME}"
outputs="$(aws cloudformation describe-stacks --stack-name "$stack" --query 'Stacks[0].Outputs' --output json)"
out() { python3 -c 'import json,sys; print({o["OutputKey"]: o["OutputValue"] for o in json.load(sys.stdin)}[sys.argv[1]])' "$1" <<<"$outputs"; }
mkdir -p build/web
cp web/*.html web/*.js web/*.css build/web/
python3 - "$(out LiaisonApiUrl)" "$(out WebAuthDomain)" "$(out LiaisonWebClientId)" "$(out WebUrl)" > build/web/config.json <<'PY'
import json, sys
api, domain, client, site = sys.argv[1:5]
print(json.dumps({"apiUrl": api, "pollSeconds": 15,
                  "auth": {"mode": "cognito", "domain": domain, "clientId": client, "redirectUri": site}}, indent=2))
PY
aws s3 sync build/web/ "s3://$(out WebBucketName)/" --delete --cache-control "no-cache"
aws cloudfront create-invalidation --distribution-id "$(out WebDistributionId)" --paths '/*' >/dev/null
echo "liaison workspace: $(out WebUrl)"
