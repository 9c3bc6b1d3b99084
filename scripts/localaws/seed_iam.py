"""Seeds a fresh moto server with the IAM identities the tests and the demo use.

Run with the venv python (bash scripts/setup-python.sh):

    .venv/bin/python scripts/localaws/seed_iam.py --print-count
    .venv/bin/python scripts/localaws/seed_iam.py --endpoint http://127.0.0.1:PORT

moto enforces IAM only after its first INITIAL_NO_AUTH_ACTION_COUNT requests; those
are the seed's, made with dummy keys. The server must be started with that count set
to exactly SEED_CALLS (ask with --print-count): one more and the first test request
would slip through unchecked, one fewer and the last seed call would be denied. The
script counts the HTTP requests it really sends, and after seeding checks that a
dummy-key request is rejected, so a wrong count fails here rather than in a test.

Prints one JSON object on stdout:
    {accountId, region, baseUser: {arn, accessKeyId, secretAccessKey}, adminUser: {…},
     roles: {deploy, denied, deployExternalId, hub, chained, ci, ciDeploy}, externalId,
     hubSessionName, oidcProviderArn, ciSessionName}
"""

import argparse
import json
import sys

ACCOUNT_ID = "123456789012"  # moto's default account
REGION = "us-east-1"
EXTERNAL_ID = "acme-7f3a"
HUB_SESSION = "chain-hop"
# CI without stored keys: the web-identity session of the CI role, as GitHub Actions' OIDC
# token gives it, is the base identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, and
# AWS_ROLE_SESSION_NAME set to this).
CI_SESSION = "gha-deploy"
OIDC_URL = "https://token.actions.githubusercontent.com"

# HTTP requests made by seed(): the 20 IAM calls below, in that order. Kept next to
# seed() and checked against the real count at run time.
SEED_CALLS = 20

BASE_USER = "deployer"
BASE_USER_ARN = f"arn:aws:iam::{ACCOUNT_ID}:user/{BASE_USER}"

# May create the access role's stack (`access-role link --create`), as an account admin
# would, and assume the roles that trust it (its own check after creating one).
ADMIN_USER = "admin"
ADMIN_ACTIONS = ["cloudformation:*", "iam:*", "sts:GetCallerIdentity", "sts:AssumeRole"]

# What `serverless info` / `deploy` need on the deploy role's keys.
DEPLOY_ACTIONS = [
    "cloudformation:*",
    "sts:GetCallerIdentity",
    "ssm:GetParameter*",
    "s3:*",
    "logs:*",
    "lambda:*",
    "iam:GetRole",
    "iam:PassRole",
]


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions):
    return {"Effect": "Allow", "Action": actions, "Resource": "*"}


def trust(principal_arn, condition=None):
    # moto compares the principal literally with the caller's ARN: an account-root
    # principal ("arn:aws:iam::ACCOUNT:root") would deny, unlike real AWS.
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": principal_arn},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return policy(statement)


def web_identity_trust(provider_arn):
    # moto answers AssumeRoleWithWebIdentity without checking the token or this policy; it is
    # the trust policy a GitHub Actions role has on AWS.
    host = OIDC_URL.removeprefix("https://")
    return policy(
        {
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{host}:aud": "sts.amazonaws.com"}},
        }
    )


def seed(iam):
    """The SEED_CALLS requests, in order."""
    iam.create_user(UserName=BASE_USER)
    iam.put_user_policy(
        UserName=BASE_USER,
        PolicyName="assume-only",
        PolicyDocument=policy(allow("sts:AssumeRole")),
    )
    key = iam.create_access_key(UserName=BASE_USER)["AccessKey"]
    iam.create_user(UserName=ADMIN_USER)
    iam.put_user_policy(
        UserName=ADMIN_USER, PolicyName="admin", PolicyDocument=policy(allow(ADMIN_ACTIONS))
    )
    admin_key = iam.create_access_key(UserName=ADMIN_USER)["AccessKey"]

    def role(name, trust_policy, actions=None):
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy)[
            "Role"
        ]["Arn"]
        if actions:
            iam.put_role_policy(
                RoleName=name, PolicyName="deploy", PolicyDocument=policy(allow(actions))
            )
        return arn

    roles = {
        "deploy": role("serverless-deploy", trust(BASE_USER_ARN), DEPLOY_ACTIONS),
        # Trusts someone else, so AssumeRole by the base user is denied. (A role
        # that does not exist is no test: moto hands out keys for it.)
        "denied": role(
            "someone-elses-role", trust(f"arn:aws:iam::{ACCOUNT_ID}:user/someone-else")
        ),
        # moto 5.2.5 denies a wrong sts:ExternalId but, unlike AWS, allows a
        # missing one: a test can prove the right id is sent, not that one is.
        "deployExternalId": role(
            "serverless-deploy-ext",
            trust(BASE_USER_ARN, {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}),
            DEPLOY_ACTIONS,
        ),
        # Role chaining: the base user assumes the hub, whose keys may only assume
        # roles; the chained role trusts the hub's session named HUB_SESSION. (moto
        # matches the caller's assumed-role session ARN literally, where AWS would
        # accept the role ARN.)
        "hub": role("access-hub", trust(BASE_USER_ARN), "sts:AssumeRole"),
        "chained": role(
            "serverless-deploy-chained",
            trust(f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/access-hub/{HUB_SESSION}"),
            DEPLOY_ACTIONS,
        ),
    }
    oidc_arn = iam.create_open_id_connect_provider(
        Url=OIDC_URL,
        ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"],
    )["OpenIDConnectProviderArn"]
    # The CI role may only assume roles; the access role trusts its session. (moto matches the
    # assumed-role session ARN literally, where AWS would accept the CI role's ARN.)
    roles["ci"] = role("github-ci", web_identity_trust(oidc_arn), "sts:AssumeRole")
    roles["ciDeploy"] = role(
        "serverless-deploy-ci",
        trust(f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/github-ci/{CI_SESSION}"),
        DEPLOY_ACTIONS,
    )
    return {
        "accountId": ACCOUNT_ID,
        "region": REGION,
        "baseUser": {
            "arn": BASE_USER_ARN,
            "accessKeyId": key["AccessKeyId"],
            "secretAccessKey": key["SecretAccessKey"],
        },
        "adminUser": {
            "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/{ADMIN_USER}",
            "accessKeyId": admin_key["AccessKeyId"],
            "secretAccessKey": admin_key["SecretAccessKey"],
        },
        "roles": roles,
        "externalId": EXTERNAL_ID,
        "hubSessionName": HUB_SESSION,
        "oidcProviderArn": oidc_arn,
        "ciSessionName": CI_SESSION,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", help="moto server URL, e.g. http://127.0.0.1:5000")
    parser.add_argument(
        "--print-count",
        action="store_true",
        help="print SEED_CALLS (the server's INITIAL_NO_AUTH_ACTION_COUNT) and exit",
    )
    args = parser.parse_args()
    if args.print_count:
        print(SEED_CALLS)
        return
    if not args.endpoint:
        parser.error("--endpoint is required")

    # Imported here so --print-count stays fast.
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    # No retries: a retried request would use up a no-auth slot meant for the next call.
    config = Config(retries={"total_max_attempts": 1})

    def client(service):
        return boto3.client(
            service,
            endpoint_url=args.endpoint,
            region_name=REGION,
            aws_access_key_id="seed",
            aws_secret_access_key="seed",
            config=config,
        )

    iam = client("iam")
    sent = 0

    def count(**_):
        nonlocal sent
        sent += 1

    iam.meta.events.register("before-send", count)
    result = seed(iam)
    if sent != SEED_CALLS:
        sys.exit(f"seed_iam: made {sent} requests, but SEED_CALLS is {SEED_CALLS}")

    # The no-auth window must now be closed: a dummy key is no longer accepted.
    try:
        client("sts").get_caller_identity()
    except ClientError as e:
        if e.response["Error"]["Code"] != "InvalidClientTokenId":
            raise
    else:
        sys.exit(
            "seed_iam: IAM is not enforced after seeding; start moto_server with "
            f"INITIAL_NO_AUTH_ACTION_COUNT={SEED_CALLS}"
        )

    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
