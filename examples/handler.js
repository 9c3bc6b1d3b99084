'use strict';

/** The example function: deployments, not the code, are what the example is about. */
module.exports.hello = async () => ({ statusCode: 200, body: 'hello from the access role demo' });
