// The parts of the STS client the CLI uses, loaded when identity is first needed (see ec2.ts).
export {GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts'
