'use strict';
// A local plugin whose hook calls AWS on the service's access role. In serverless.yml:
//   plugins:
//     - serverless-access-roles
//     - ./access-role-hook
// and `npm install --save-dev @aws-sdk/client-sts` (any SDK v3 client works the same way).
const { fromServerless } = require('serverless-access-roles');
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');

class AccessRoleHook {
  constructor(serverless, options, { log }) {
    this.hooks = {
      'before:package:initialize': async () => {
        const sts = new STSClient({
          region: serverless.getProvider('aws').getRegion(),
          credentials: fromServerless(serverless, options),
        });
        const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
        log.notice(`This hook runs as ${Arn}`);
      },
    };
  }
}

module.exports = AccessRoleHook;
