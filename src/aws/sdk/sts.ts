// The parts of the STS client the CLI uses (the client factory resolves the region with it; commands prove the
// credentials with GetCallerIdentity).
export {GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts'
