import {EXIT, UserError} from '../errors.js'
import {shq} from '../util/shell.js'

/**
 * Turning AWS SDK errors into words an on-call engineer can act on.
 *
 * Errors thrown by a client built by our factory carry the operation that failed
 * (`$allthrive`, set by a middleware), so AccessDenied can name the IAM action even
 * when AWS's message does not.
 */

export type AwsErrorKind =
  | 'no-credentials'
  | 'sso-expired'
  | 'credentials-expired'
  | 'credentials-invalid'
  | 'no-region'
  | 'access-denied'
  | 'throttling'
  | 'timeout'
  | 'network'
  | 'not-found'
  | 'server'
  | 'unparsable'
  | 'other'

export interface OperationInfo {
  /** e.g. "RDS" */
  service: string
  /** e.g. "DescribeDBInstances" */
  operation: string
  /** e.g. "rds:DescribeDBInstances" */
  action: string
  /** The endpoint the call was sent to ("https://rds.eu-west-1.amazonaws.com"), when known. */
  endpoint?: string
}

interface SdkLikeError {
  name?: string
  message?: string
  code?: string
  $metadata?: {httpStatusCode?: number; requestId?: string; extendedRequestId?: string}
  $fault?: string
  $allthrive?: OperationInfo
  $response?: {statusCode?: number; headers?: Record<string, string>}
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
])
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'AuthorizationErrorException',
  'NotAuthorized',
  'UnauthorizedException',
  'Forbidden',
])
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired'])
const INVALID = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'InvalidAccessKeyId',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
])
const NETWORK = new Set([
  'ENOTFOUND',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
])

/** IAM action names that differ from the API operation name. */
const ACTION_OVERRIDES: Record<string, string> = {
  's3:HeadBucket': 's3:ListBucket',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:ListObjectsV2': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
  'cloudfront:ListDistributions': 'cloudfront:ListDistributions',
}

/** IAM service prefixes by SDK client name (without the "Client" suffix). */
const IAM_PREFIX: Record<string, string> = {
  ACM: 'acm',
  CloudFront: 'cloudfront',
  CloudWatch: 'cloudwatch',
  CloudWatchLogs: 'logs',
  CostExplorer: 'ce',
  EC2: 'ec2',
  ECR: 'ecr',
  ECS: 'ecs',
  ElastiCache: 'elasticache',
  ElasticLoadBalancingV2: 'elasticloadbalancing',
  Pricing: 'pricing',
  RDS: 'rds',
  S3: 's3',
  SecretsManager: 'secretsmanager',
  STS: 'sts',
  SSM: 'ssm',
}

/** "RDSClient" + "DescribeDBInstancesCommand" → rds:DescribeDBInstances */
export function operationInfo(clientName: string, commandName: string): OperationInfo {
  const service = clientName.replace(/Client$/, '')
  const operation = commandName.replace(/Command$/, '')
  const raw = `${IAM_PREFIX[service] ?? service.toLowerCase()}:${operation}`
  return {service, operation, action: ACTION_OVERRIDES[raw] ?? raw}
}

const asSdk = (e: unknown): SdkLikeError =>
  typeof e === 'object' && e !== null ? (e as SdkLikeError) : {message: String(e)}

/** The IAM action AWS says was denied ("... not authorized to perform: rds:DescribeDBInstances ..."). */
export function deniedAction(e: unknown): string | undefined {
  const err = asSdk(e)
  const fromMessage = /perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/.exec(err.message ?? '')?.[1]
  return fromMessage ?? err.$allthrive?.action
}

export function classifyAwsError(e: unknown): AwsErrorKind {
  const err = asSdk(e)
  const name = err.name ?? ''
  const message = err.message ?? ''
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    return /sso/i.test(message) ? 'sso-expired' : 'no-credentials'
  }

  if (/Region is missing|region="" is not a valid/i.test(message)) return 'no-region'
  if (EXPIRED.has(name) || /security token included in the request is expired/i.test(message))
    return 'credentials-expired'
  if (INVALID.has(name)) return 'credentials-invalid'
  if (ACCESS_DENIED.has(name) || /not authorized to perform/i.test(message)) return 'access-denied'
  // S3 HEAD requests have no body: a 403 arrives as "Unknown"/"UnknownError" with only the status.
  if (
    err.$metadata?.httpStatusCode === 403 &&
    (name === 'Unknown' || name === 'UnknownError' || name === '403' || name === 'Forbidden')
  )
    return 'access-denied'
  if (THROTTLING.has(name) || err.$metadata?.httpStatusCode === 429) return 'throttling'
  if (name === 'TimeoutError' || name === 'AbortError' || err.code === 'ETIMEDOUT' || name === 'RequestTimeout')
    return 'timeout'
  if ((err.code && NETWORK.has(err.code)) || NETWORK.has(name)) return 'network'
  if (isUnparsable(err)) return 'unparsable'
  if (/NotFound|NoSuch|DoesNotExist|NotExist/.test(name) || err.$metadata?.httpStatusCode === 404) return 'not-found'
  if ((err.$metadata?.httpStatusCode ?? 0) >= 500 || err.$fault === 'server') return 'server'
  return 'other'
}

/** An error body the SDK could not read (an HTML page from a proxy): a SyntaxError or "Deserialization error". */
function isUnparsable(err: SdkLikeError): boolean {
  return (
    err.name === 'SyntaxError' ||
    /Unexpected token|is not valid JSON|Non-whitespace before first tag/i.test(err.message ?? '')
  )
}

/** The HTTP status of an error, from the SDK's metadata or the raw response it keeps. */
export const httpStatusOf = (e: unknown): number | undefined =>
  asSdk(e).$metadata?.httpStatusCode ?? asSdk(e).$response?.statusCode

/** "AccessDeniedException (HTTP 403, request abc-123)": the facts support needs, without the message. */
export function errorTag(e: unknown): string {
  const err = asSdk(e)
  const facts = [
    err.$metadata?.httpStatusCode ? `HTTP ${err.$metadata.httpStatusCode}` : undefined,
    err.$metadata?.requestId ? `request ${err.$metadata.requestId}` : undefined,
  ].filter(Boolean)
  const name = err.name && err.name !== 'Error' ? err.name : (err.code ?? 'Error')
  return facts.length > 0 ? `${name} (${facts.join(', ')})` : name
}

/** One-line description: "RDS DescribeDBInstances: AccessDeniedException (HTTP 403, request abc): message". */
export function describeAwsError(e: unknown): string {
  const err = asSdk(e)
  const op = err.$allthrive ? `${err.$allthrive.service} ${err.$allthrive.operation}: ` : ''
  if (isUnparsable(err)) {
    const status = httpStatusOf(e)
    const type = err.$response?.headers?.['content-type']
    const but = type ? ` but ${type.split(';')[0]}` : ''
    return (
      `${op}the answer${status ? ` (HTTP ${status})` : ''} was not an AWS response${but}, ` +
      `as a proxy, firewall or captive portal sends`
    )
  }

  // The SDK appends a second line about its hidden $response field: noise for a user.
  const message = (err.message ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('Deserialization error:'))
    .join(' ')
  // The SDK surfaces unparsable bodies as "UnknownError"/"Unknown"; keep whatever it has.
  return `${op}${errorTag(e)}${message && message !== err.name ? `: ${message}` : ''}`
}

/** What to do about an error of this kind: one line, or undefined when there is nothing specific. */
export function hintFor(e: unknown, opts: {profile?: string} = {}): string | undefined {
  const profileArg = opts.profile ? ` --profile ${shq(opts.profile)}` : ''
  switch (classifyAwsError(e)) {
    case 'no-credentials':
      return `Configure credentials: aws configure${profileArg}, aws sso login${profileArg}, or export AWS_PROFILE / AWS_ACCESS_KEY_ID.`
    case 'sso-expired':
      return `Refresh the SSO session: aws sso login${profileArg}`
    case 'credentials-expired':
      return opts.profile
        ? `Refresh the credentials: aws sso login${profileArg} (or renew the session token of profile ${opts.profile}).`
        : 'Refresh the temporary credentials (AWS_SESSION_TOKEN has expired): re-run your assume-role or aws sso login.'
    case 'credentials-invalid':
      return 'Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the profile: the keys were not recognised by AWS.'
    case 'no-region':
      return 'Pass --region, set AWS_REGION, or set "region" for the environment in allthrive.config.json.'
    case 'access-denied': {
      const action = deniedAction(e)
      return action
        ? `Grant ${action} to the caller (see README "IAM policy"), or run with a role that has it.`
        : 'Grant the read-only actions listed in README "IAM policy" to the caller.'
    }

    case 'throttling':
      return 'AWS kept throttling after retries: lower --concurrency, or run again in a minute.'
    case 'timeout':
      return 'The call did not answer in time: check network access to AWS, or raise the timeout.'
    case 'network':
      return 'AWS could not be reached: check the network, proxy/VPN, --region and AWS_ENDPOINT_URL.'
    case 'unparsable':
      return (
        'Something between here and AWS answered instead of AWS: check HTTPS_PROXY/proxy settings, the VPN ' +
        'or firewall, and AWS_ENDPOINT_URL.'
      )
    case 'server':
      return 'AWS answered with a server error after retries: run again in a minute; if it persists, check the AWS Health Dashboard (or the emulator at AWS_ENDPOINT_URL).'
    default:
      return undefined
  }
}

/** Errors about the caller (credentials, region) mean nothing can be checked: a usage-class UserError. */
export function credentialsUserError(e: unknown, opts: {profile?: string} = {}): UserError | undefined {
  const kind = classifyAwsError(e)
  const messages: Partial<Record<AwsErrorKind, string>> = {
    'no-credentials': 'No AWS credentials were found.',
    'sso-expired': `The AWS SSO session${opts.profile ? ` of profile ${opts.profile}` : ''} has expired or is invalid.`,
    'credentials-expired': 'The AWS credentials have expired.',
    'credentials-invalid': `AWS rejected the credentials: ${errorTag(e)}.`,
    'no-region': 'No AWS region is set. AWS_REGION is empty or unset, and neither --region nor the profile names one.',
    network: `AWS could not be reached${endpointOf(e)}: ${describeAwsError(e)}.`,
  }
  const unreachable = endpointUserError(e)
  if (unreachable) return unreachable
  const message = messages[kind]
  if (!message) return undefined
  return new UserError(message, {
    code: `AWS_${kind.toUpperCase().replaceAll('-', '_')}`,
    suggestions: [hintFor(e, opts)!],
    cause: e,
  })
}

const SMITHY_PREFIX = /^@smithy\/node-http-handler - (\[ERROR\] )?/

const ENDPOINT_SUGGESTION =
  'Check the network, proxy/VPN and firewall, --region and AWS_ENDPOINT_URL ' +
  '(a VPC endpoint or ' +
  'emulator must answer); on a slow link raise ALLTHRIVE_REQUEST_TIMEOUT / ALLTHRIVE_CONNECT_TIMEOUT (e.g. 30s).'

const endpointOf = (e: unknown): string => {
  const endpoint = asSdk(e).$allthrive?.endpoint
  return endpoint ? ` at ${endpoint}` : ''
}

/**
 * An endpoint that cannot be reached or does not answer (refused, unknown host, a stuck proxy that never
 * answers): the same exit 2 in every command, naming the endpoint and what to check. Undefined for other errors,
 * and for our own check budgets (a CheckTimeoutError carries no operation).
 */
export function endpointUserError(e: unknown): UserError | undefined {
  const err = asSdk(e)
  const kind = classifyAwsError(e)
  if (kind !== 'network' && !(kind === 'timeout' && err.$allthrive && err.name !== 'AbortError')) return undefined
  const op = err.$allthrive ? ` (${err.$allthrive.service} ${err.$allthrive.operation})` : ''
  const where = endpointOf(e) || " (AWS_ENDPOINT_URL or the region's endpoint)"
  const message =
    kind === 'timeout'
      ? `AWS did not answer in time${where}${op}: ${(err.message ?? '').replace(SMITHY_PREFIX, '')}`
      : `AWS could not be reached${where}${op}: ${errorTag(e)}.`
  return new UserError(message, {
    code: kind === 'timeout' ? 'AWS_ENDPOINT_TIMEOUT' : 'AWS_NETWORK',
    exit: EXIT.USAGE,
    cause: e,
    suggestions: [ENDPOINT_SUGGESTION],
  })
}

/** How long the start-up identity call may take, retries included: two attempts and a connection. */
export const identityBoundMs = (
  t: {connectMs: number; requestMs: number} = {connectMs: 3000, requestMs: 10_000},
): number => 2 * t.requestMs + t.connectMs

/** The start-up identity call did not finish within its bound: exit 2, naming the endpoint. */
export function identityTimeoutError(e: unknown, boundMs: number): UserError {
  const endpoint = asSdk(e).$allthrive?.endpoint
  const at = endpoint ? ` at ${endpoint}` : ''
  return new UserError(
    `AWS did not answer the identity call (STS GetCallerIdentity)${at} ` +
      `within ${Math.round(boundMs / 1000)}s: nothing was checked.`,
    {
      code: 'AWS_ENDPOINT_TIMEOUT',
      exit: EXIT.USAGE,
      cause: e,
      suggestions: [ENDPOINT_SUGGESTION],
    },
  )
}
