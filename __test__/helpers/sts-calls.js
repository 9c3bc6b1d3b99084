'use strict';
// Counts the STS AssumeRole calls a moto server has granted, for the single-flight tests and the
// benchmark. moto keeps one AssumedRole record per granted call and lists them, with the rest of
// its state, at GET /moto-api/data.json (served outside the service dispatch: no auth, and it
// uses up none of the seed's unauthenticated requests). Denied calls leave no record.

/**
 * The access key ids moto handed out by AssumeRole, oldest first, optionally only those for one
 * role. Only ids leave this function: the records also hold secret keys and tokens.
 * @param {string} endpoint the moto server, e.g. `aws.endpoint` from startLocalAws()
 * @param {string} [roleArn]
 * @returns {Promise<string[]>}
 */
async function assumedKeyIds(endpoint, roleArn) {
  const res = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${endpoint}/moto-api/data.json answered ${res.status}`);
  const records = (await res.json()).sts?.AssumedRole ?? [];
  return records.filter((r) => roleArn === undefined || r.role_arn === roleArn).map((r) => r.access_key_id);
}

/**
 * How many AssumeRole calls moto has granted so far (for one role, if given).
 * @param {string} endpoint
 * @param {string} [roleArn]
 * @returns {Promise<number>}
 */
async function assumeRoleCount(endpoint, roleArn) {
  return (await assumedKeyIds(endpoint, roleArn)).length;
}

/**
 * The AssumeRole requests moto's recorder holds (`aws.recorder.start()` first), as the form
 * parameters STS got: what a user's profile made us send, not what moto made of it.
 * @param {{ recorder: { requests: () => Promise<{ body: string }[]> } }} aws the running server
 * @returns {Promise<URLSearchParams[]>}
 */
async function assumeRoleRequests(aws) {
  return (await aws.recorder.requests())
    .map(({ body }) => new URLSearchParams(body))
    .filter((params) => params.get('Action') === 'AssumeRole');
}

module.exports = { assumedKeyIds, assumeRoleCount, assumeRoleRequests };
