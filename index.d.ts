import binding = require('./binding')

/**
 * The Serverless Framework plugin (`plugins: [serverless-access-roles]`): every command runs on
 * the access role's temporary keys. The native API hangs off it as static members.
 */
declare class ServerlessAccessRoles {
  constructor(serverless: unknown, options: Record<string, unknown>, utils?: unknown)
  /** Resolves the access role's keys and installs them on the framework's AWS provider. */
  asyncInit(): Promise<void>
  /** The keys in use once asyncInit installed them, else null. */
  credentials: binding.AccessRoleCredentials | null
}

declare namespace ServerlessAccessRoles {
  /**
   * The native `resolveCredentials`; the keys it answers show, under `util.inspect` /
   * `console.log`, a masked access key id and `'[redacted]'` for the secret key and session
   * token (a non-enumerable hook: the fields stay readable, `JSON.stringify` is unchanged).
   */
  export import resolveCredentials = binding.resolveCredentials
  export import describeProfile = binding.describeProfile
  export type ResolveOptions = binding.ResolveOptions
  export type AccessRoleCredentials = binding.AccessRoleCredentials
  export type ProfileDescription = binding.ProfileDescription

  /**
   * An AWS SDK v3 credential provider for the access role of an app and stage:
   * `new S3Client({ credentials: fromAccessRole({ app: 'payments', stage: 'prod' }) })`.
   */
  export function fromAccessRole(
    init: { app: string; stage: string } & binding.ResolveOptions,
  ): () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date; accountId: string }>

  /**
   * An AWS SDK v3 credential provider for the access role the plugin uses in this Serverless
   * instance (app, stage, region, store and base profile as the plugin reads them), for local
   * plugins and custom hooks, before or after the plugin's `asyncInit`:
   * `new S3Client({ credentials: fromServerless(serverless, options) })`.
   */
  export function fromServerless(
    serverless: unknown,
    options?: Record<string, unknown>,
  ): () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date; accountId: string }>

  /** A CloudFormation template for the access role, as `serverless access-role template` prints it. */
  export function deployRoleTemplate(options: {
    principalArn: string
    externalId?: string
    /** The role's name; default `serverless-deploy` (`deployRoleTemplate.DEFAULT_ROLE_NAME`). */
    roleName?: string
    /** Allow `sts:TagSession`, for profiles that send session tags. */
    tagSession?: boolean
    /** Allow `sts:SetSourceIdentity`, for profiles that set a source identity. */
    setSourceIdentity?: boolean
    /**
     * An IAM policy ARN: the role then creates and changes only roles that carry this permissions
     * boundary and are named `rolePrefix…`, and passes only those. Without it the role can make
     * itself admin of the account.
     */
    permissionsBoundary?: string
    /** With `permissionsBoundary` (required then): the start of the role names it may make and pass. */
    rolePrefix?: string
  }): Record<string, unknown>
  export namespace deployRoleTemplate {
    /** `serverless-deploy`: the role's name when none is given. */
    const DEFAULT_ROLE_NAME: string
    /** What a `rolePrefix` may hold: 1 to 63 IAM role-name characters, no `*`. */
    const ROLE_PREFIX: RegExp
  }

  /**
   * Writes a deployment profile and an app (or stage) mapping into a profile store's text,
   * keeping its comments and layout; returns the new text.
   */
  export function linkProfile(
    text: string,
    link: { profile: string; roleArn: string; externalId?: string; app: string; stage?: string; json?: boolean },
  ): string
}

export = ServerlessAccessRoles
