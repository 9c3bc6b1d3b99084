export { resolveCredentials, describeProfile, ResolveOptions, AccessRoleCredentials, ProfileDescription } from './binding'
